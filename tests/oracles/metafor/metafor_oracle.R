# Oracle for alliance_analysis.meta: R metafor on generated study sets (run from this folder:
#   Rscript metafor_oracle.R
# writes studies.csv (the generated data) and results.csv (one row per set x method x quantity).
# R and metafor are oracles only: the package never calls them.
suppressMessages(library(metafor))
set.seed(20261204)
# tight convergence so the oracle is exact to far better than the tests' 1e-6
ctl <- list(threshold = 1e-13, tol = 1e-13, maxiter = 10000)
ks <- c(3, 4, 5, 8, 12, 20, 40)
sets <- list()
rows <- list()
add <- function(set, method, test, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(set = set, method = method, test = test,
                                           quantity = name, value = value)
}
id <- 0
for (k in ks) {
  for (rep in 1:2) {
    id <- id + 1
    n <- sample(10:200, k, replace = TRUE)
    tau <- c(0, 0.15, 0.3)[(id %% 3) + 1]
    rho <- tanh(0.3 + rnorm(k, 0, tau))
    r <- sapply(seq_len(k), function(i) {
      x <- MASS::mvrnorm(n[i], c(0, 0), matrix(c(1, rho[i], rho[i], 1), 2))
      cor(x[, 1], x[, 2])
    })
    es <- escalc("ZCOR", ri = r, ni = n)
    sets[[id]] <- data.frame(set = id, r = r, n = n, yi = as.numeric(es$yi), vi = as.numeric(es$vi))
    for (method in c("FE", "REML", "ML", "DL", "PM")) {
      for (test in c("z", "knha")) {
        if (method == "FE" && test == "knha") next
        fit <- rma(yi, vi, data = es, method = method, test = test, control = ctl)
        add(id, method, test, "estimate", as.numeric(fit$beta))
        add(id, method, test, "se", fit$se)
        add(id, method, test, "ci_lb", fit$ci.lb)
        add(id, method, test, "ci_ub", fit$ci.ub)
        add(id, method, test, "pval", fit$pval)
        add(id, method, test, "tau2", fit$tau2)
        add(id, method, test, "i2", fit$I2)
        add(id, method, test, "h2", fit$H2)
        add(id, method, test, "q", fit$QE)
        add(id, method, test, "q_p", fit$QEp)
        pr <- predict(fit)
        add(id, method, test, "pi_lb", if (method == "FE") pr$ci.lb else pr$pi.lb)
        add(id, method, test, "pi_ub", if (method == "FE") pr$ci.ub else pr$pi.ub)
        if (method != "FE") {
          ci <- confint(fit, control = list(tol = 1e-13))
          add(id, method, test, "tau2_ci_lb", ci$random["tau^2", "ci.lb"])
          add(id, method, test, "tau2_ci_ub", ci$random["tau^2", "ci.ub"])
          add(id, method, test, "i2_ci_lb", ci$random["I^2(%)", "ci.lb"])
          add(id, method, test, "i2_ci_ub", ci$random["I^2(%)", "ci.ub"])
        }
        if (k >= 3) {
          l1 <- leave1out(fit)
          for (i in seq_len(k)) {
            add(id, method, test, paste0("loo_estimate_", i), l1$estimate[i])
            add(id, method, test, paste0("loo_se_", i), l1$se[i])
            if (method != "FE") add(id, method, test, paste0("loo_tau2_", i), l1$tau2[i])
          }
        }
        if (k >= 4 && method != "FE") {
          eg <- regtest(fit, model = "rma", predictor = "sei")
          add(id, method, test, "egger_z", eg$zval)
          add(id, method, test, "egger_p", eg$pval)
        }
      }
    }
    if (k >= 4) {
      # classical Egger test: weighted regression with a multiplicative dispersion (lm)
      eg <- regtest(es$yi, es$vi, model = "lm", predictor = "sei")
      add(id, "FE", "lm", "egger_t", eg$zval)
      add(id, "FE", "lm", "egger_p", eg$pval)
      add(id, "FE", "lm", "egger_df", eg$dfs)
      add(id, "FE", "lm", "egger_intercept", as.numeric(coef(eg$fit)[1]))
    }
  }
}
# three-level sets: effects nested in studies
mrows <- list()
msets <- list()
madd <- function(set, test, name, value) {
  mrows[[length(mrows) + 1]] <<- data.frame(set = set, method = "REML", test = test,
                                             quantity = name, value = value)
}
for (j in 1:6) {
  nstudy <- c(3, 5, 8, 12, 20, 30)[j]
  per <- sample(1:4, nstudy, replace = TRUE)
  study <- rep(seq_len(nstudy), per)
  u <- rnorm(nstudy, 0, 0.2)[study]
  w <- rnorm(length(study), 0, 0.1)
  n <- sample(15:150, length(study), replace = TRUE)
  vi <- 1 / (n - 3)
  yi <- 0.3 + u + w + rnorm(length(study), 0, sqrt(vi))
  d <- data.frame(set = 100 + j, study = study, effect = seq_along(study), yi = yi, vi = vi)
  msets[[j]] <- d
  for (test in c("z", "t")) {
    fit <- rma.mv(yi, vi, random = ~ 1 | study / effect, data = d, method = "REML", test = test)
    madd(100 + j, test, "estimate", as.numeric(fit$beta))
    madd(100 + j, test, "se", fit$se)
    madd(100 + j, test, "ci_lb", fit$ci.lb)
    madd(100 + j, test, "ci_ub", fit$ci.ub)
    madd(100 + j, test, "pval", fit$pval)
    madd(100 + j, test, "sigma2_study", fit$sigma2[1])
    madd(100 + j, test, "sigma2_effect", fit$sigma2[2])
    madd(100 + j, test, "q", fit$QE)
    madd(100 + j, test, "q_p", fit$QEp)
    madd(100 + j, test, "loglik", as.numeric(logLik(fit)))
    W <- diag(1 / d$vi); X <- model.matrix(fit)
    P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
    madd(100 + j, test, "i2", 100 * sum(fit$sigma2) / (sum(fit$sigma2) + (fit$k - fit$p) / sum(diag(P))))
    pr <- predict(fit)
    madd(100 + j, test, "pi_lb", pr$pi.lb)
    madd(100 + j, test, "pi_ub", pr$pi.ub)
  }
}
# standardized mean differences: Hedges' g and its variance (independent groups: SMD; paired
# change-score standardised: SMCC), from d and the group sizes
smd <- data.frame(m1 = c(10, 12, 8.5), m2 = c(8, 12.5, 5), sd1 = c(3, 4, 2), sd2 = c(2.5, 3.5, 2.2),
                  n1 = c(12, 30, 8), n2 = c(10, 28, 9))
e1 <- escalc("SMD", m1i = m1, m2i = m2, sd1i = sd1, sd2i = sd2, n1i = n1, n2i = n2, data = smd)
sp <- sqrt(((smd$n1 - 1) * smd$sd1^2 + (smd$n2 - 1) * smd$sd2^2) / (smd$n1 + smd$n2 - 2))
smd$d <- (smd$m1 - smd$m2) / sp
smd$g <- as.numeric(e1$yi); smd$g_vi <- as.numeric(e1$vi)
pc <- data.frame(m1 = c(10, 7, 3), m2 = c(8, 7.5, 1), sdd = c(3, 2, 1.5), n = c(12, 30, 8), ri = c(.5, .3, .7))
e2 <- escalc("SMCC", m1i = m1, m2i = m2, sd1i = sdd, sd2i = sdd, ni = n, ri = rep(.5, 3), data = pc)
pc$dz <- (pc$m1 - pc$m2) / pc$sdd
pc$g <- as.numeric(e2$yi); pc$g_vi <- as.numeric(e2$vi)
write.csv(smd, "smd_independent.csv", row.names = FALSE)
write.csv(pc, "smd_paired.csv", row.names = FALSE)
studies <- do.call(rbind, sets)
write.csv(studies, "studies.csv", row.names = FALSE)
write.csv(do.call(rbind, msets), "studies_multilevel.csv", row.names = FALSE)
res <- rbind(do.call(rbind, rows), do.call(rbind, mrows))
res$value <- sprintf("%.15g", res$value)
write.csv(res, "results.csv", row.names = FALSE, quote = FALSE)
cat("metafor", as.character(packageVersion("metafor")), "\n", file = "VERSION.txt")
cat("R", R.version$major, R.version$minor, "\n", file = "VERSION.txt", append = TRUE)
