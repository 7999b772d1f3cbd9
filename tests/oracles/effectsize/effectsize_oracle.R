# Oracle for the package's effect-size intervals: R effectsize (dev-only; GPL-compatible use as an
# oracle, never imported by the package). Run from this folder:  Rscript effectsize_oracle.R
# Writes data.csv (the inputs) and effectsize.csv (R's values) for tests/stats/test_effectsize_oracle.py.
suppressMessages(library(effectsize))
set.seed(20261204)
make <- function(n, shift, sd2) {
  pre <- round(rnorm(n, 20, 4), 1)
  post <- round(pre * 0.6 + rnorm(n, 8 + shift, sd2), 1)
  data.frame(pre = pre, post = post)
}
sets <- list(a = make(12, 2, 3), b = make(25, 1, 5), c = make(60, 0.5, 4))
rows <- list()
dat <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  dat[[nm]] <- data.frame(set = nm, i = seq_len(nrow(d)), pre = d$pre, post = d$post)
  for (lev in c(0.95, 0.90)) {
    # paired d_z and g_z: noncentral t interval (effectsize::cohens_d(paired = TRUE))
    dz <- cohens_d(d$post, d$pre, paired = TRUE, ci = lev)
    gz <- hedges_g(d$post, d$pre, paired = TRUE, ci = lev)
    # two independent groups (post vs pre as if unpaired): pooled-SD d_s and g_s
    ds <- cohens_d(d$post, d$pre, ci = lev)
    gs <- hedges_g(d$post, d$pre, ci = lev)
    for (x in list(list("d_z", dz), list("g_z", gz), list("d_s", ds), list("g_s", gs))) {
      r <- x[[2]]
      rows[[length(rows) + 1]] <- data.frame(set = nm, confidence = lev, estimate = x[[1]],
        value = r[[1]], ci_low = r$CI_low, ci_high = r$CI_high)
    }
  }
  # one-sided (alternative = "greater"): half-open interval
  dz1 <- cohens_d(d$post, d$pre, paired = TRUE, ci = 0.95, alternative = "greater")
  rows[[length(rows) + 1]] <- data.frame(set = nm, confidence = -0.95, estimate = "d_z",
    value = dz1[[1]], ci_low = dz1$CI_low, ci_high = dz1$CI_high)
}
write.csv(do.call(rbind, dat), "data.csv", row.names = FALSE)
out <- do.call(rbind, rows)
write.csv(out, "effectsize.csv", row.names = FALSE)
cat(sprintf("effectsize %s, %d rows\n", as.character(packageVersion("effectsize")), nrow(out)))
