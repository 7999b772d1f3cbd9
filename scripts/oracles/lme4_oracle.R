# Oracle for alliance_analysis.stats.mixed_model: R lme4 + lmerTest (+ pbkrtest for Kenward-Roger).
#
# Reads tests/oracles/lme4/cases.csv and the input CSVs written by
# scripts/oracles/make_mixed_cases.py (REAL public psilodep2 data and SYNTHETIC data; the data
# column of every output says which), fits every case with lmerTest::lmer and a TIGHT optimiser
# (bobyqa, rhoend = 1e-12, maxfun = 1e6), and writes full-precision vectors:
#   results.csv       case, term, estimate, se, df, t, p (Satterthwaite), se_kr, df_kr, p_kr
#                     (Kenward-Roger, REML fits only), estimate_default, se_default, df_default
#                     (lme4's default lmerControl(), for the docs' comparison)
#   varcorr.csv       case, grp, var1, var2, vcov, sdcor (as.data.frame(VarCorr(fit)))
#   fits.csv          case, method, criterion (REML criterion or ML deviance), loglik, singular
#                     (isSingular, tol 1e-4), n_obs, n_groups, sigma, theta (';'-joined), max |gradient|
# Run from the repository root: Rscript scripts/oracles/lme4_oracle.R
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(pbkrtest)})

dir <- file.path("tests", "oracles", "lme4")
cases <- read.csv(file.path(dir, "cases.csv"), stringsAsFactors = FALSE, na.strings = "")
inputs <- list()
f17 <- function(x) vapply(x, function(v) if (is.na(v)) "NA" else format(v, digits = 17), "")
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e6),
                     check.conv.singular = "ignore")
res_rows <- list(); vc_rows <- list(); fit_rows <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  if (is.null(inputs[[cs$input]]))
    inputs[[cs$input]] <- read.csv(file.path(dir, cs$input), stringsAsFactors = FALSE,
                                   na.strings = "")
  d <- inputs[[cs$input]]
  d <- d[d$case == cs$case, ]
  for (v in c("tp", "trt")) if (v %in% names(d) && !all(is.na(d[[v]]))) d[[v]] <- factor(d[[v]])
  d[[cs$groups]] <- factor(d[[cs$groups]])
  if (!is.na(cs$reference)) {
    kv <- strsplit(cs$reference, "=")[[1]]
    d[[kv[1]]] <- relevel(d[[kv[1]]], ref = kv[2])
  }
  re <- if (is.na(cs$re_formula)) "1" else trimws(sub("~", "", cs$re_formula))
  form <- as.formula(paste0(cs$formula, " + (", re, " | ", cs$groups, ")"))
  reml <- as.logical(cs$reml)
  fit <- lmerTest::lmer(form, data = d, REML = reml, control = tight)
  fit0 <- lmerTest::lmer(form, data = d, REML = reml)
  co <- summary(fit)$coefficients
  co0 <- summary(fit0)$coefficients
  if (reml) {
    kr <- summary(fit, ddf = "Kenward-Roger")$coefficients
    se_kr <- kr[, "Std. Error"]; df_kr <- kr[, "df"]; p_kr <- kr[, "Pr(>|t|)"]
  } else {
    se_kr <- df_kr <- p_kr <- rep(NA_real_, nrow(co))
  }
  res_rows[[i]] <- data.frame(case = cs$case, term = rownames(co), estimate = f17(co[, "Estimate"]),
    se = f17(co[, "Std. Error"]), df = f17(co[, "df"]), t = f17(co[, "t value"]),
    p = f17(co[, "Pr(>|t|)"]), se_kr = f17(se_kr), df_kr = f17(df_kr), p_kr = f17(p_kr),
    estimate_default = f17(co0[, "Estimate"]), se_default = f17(co0[, "Std. Error"]),
    df_default = f17(co0[, "df"]), stringsAsFactors = FALSE)
  vc <- as.data.frame(VarCorr(fit))
  vc_rows[[i]] <- data.frame(case = cs$case, grp = vc$grp, var1 = vc$var1, var2 = vc$var2,
                             vcov = f17(vc$vcov), sdcor = f17(vc$sdcor), stringsAsFactors = FALSE)
  grad <- fit@optinfo$derivs$gradient
  crit <- if (reml) fit@devcomp$cmp[["REML"]] else fit@devcomp$cmp[["dev"]]
  fit_rows[[i]] <- data.frame(case = cs$case, data = cs$data, method = if (reml) "REML" else "ML",
    criterion = f17(crit), loglik = f17(as.numeric(logLik(fit))),
    singular = isSingular(fit, tol = 1e-4), n_obs = nobs(fit), n_groups = ngrps(fit)[[1]],
    sigma = f17(sigma(fit)), theta = paste(f17(getME(fit, "theta")), collapse = ";"),
    max_abs_gradient = f17(if (is.null(grad)) NA else max(abs(grad))), stringsAsFactors = FALSE)
}
res <- do.call(rbind, res_rows); vc <- do.call(rbind, vc_rows); fits <- do.call(rbind, fit_rows)
res$data <- cases$data[match(res$case, cases$case)]
vc$data <- cases$data[match(vc$case, cases$case)]
write.csv(res, file.path(dir, "results.csv"), row.names = FALSE, na = "")
write.csv(vc, file.path(dir, "varcorr.csv"), row.names = FALSE, na = "")
write.csv(fits, file.path(dir, "fits.csv"), row.names = FALSE, na = "")
cat(sprintf("lme4 %s, lmerTest %s, pbkrtest %s: %d cases\n", packageVersion("lme4"),
            packageVersion("lmerTest"), packageVersion("pbkrtest"), nrow(cases)))
