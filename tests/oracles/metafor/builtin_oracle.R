# Oracle for the pooling page: the built-in dataset's effects (written by the package from its
# registries and the public trial: builtin_effects.csv, builtin_per_sample.csv) fitted by metafor.
#   Rscript builtin_oracle.R   (from this folder) -> builtin_results.csv
suppressMessages(library(metafor))
d <- read.csv("builtin_effects.csv")
d$eid <- seq_len(nrow(d))
rows <- list()
add <- function(model, name, value) rows[[length(rows) + 1]] <<- data.frame(model = model, quantity = name, value = sprintf("%.15g", value))
for (test in c("z", "t")) {
  fit <- rma.mv(yi, vi, random = ~ 1 | study / eid, data = d, method = "REML", test = test)
  m <- paste0("three_level_", test)
  add(m, "estimate", as.numeric(fit$beta)); add(m, "se", fit$se)
  add(m, "ci_lb", fit$ci.lb); add(m, "ci_ub", fit$ci.ub)
  add(m, "sigma2_study", fit$sigma2[1]); add(m, "sigma2_effect", fit$sigma2[2])
  pr <- predict(fit); add(m, "pi_lb", pr$pi.lb); add(m, "pi_ub", pr$pi.ub)
}
p <- read.csv("builtin_per_sample.csv")
for (test in c("z", "knha")) {
  fit <- rma(z, vi, data = p, method = "REML", test = test,
             control = list(threshold = 1e-13, maxiter = 10000))
  m <- paste0("one_per_sample_", test)
  add(m, "estimate", as.numeric(fit$beta)); add(m, "se", fit$se)
  add(m, "ci_lb", fit$ci.lb); add(m, "ci_ub", fit$ci.ub); add(m, "tau2", fit$tau2)
  pr <- predict(fit); add(m, "pi_lb", pr$pi.lb); add(m, "pi_ub", pr$pi.ub)
}
write.csv(do.call(rbind, rows), "builtin_results.csv", row.names = FALSE, quote = FALSE)
