# Oracle for tests/test_analyze_arms.py::test_mixed_models_match_lme4_lmertest.
# Fits, with R lme4 + lmerTest (REML, Satterthwaite df), mixed models that
# `alliance-analysis analyze` fits by default on the shipped psilodep2 data, and writes one row
# per fixed effect (the analyze row label, estimate, SE, df, p) to psilodep2_mixed_lme4.csv.
# Run from the repository root:  Rscript tests/oracles/analyze/psilodep2_mixed_lme4.R
suppressPackageStartupMessages({library(lme4); library(lmerTest)})
d <- read.csv("data/public/psilodep2/scores.csv", stringsAsFactors = FALSE)
d$arm <- factor(ifelse(d$trt == "P", "psilocybin", "escitalopram"),
                levels = c("escitalopram", "psilocybin"))
person <- unique(d[, c("patient_id", "arm", "ta")])

label <- function(term, moderator) {
  parts <- strsplit(term, ":", fixed = TRUE)[[1]]
  parts <- sapply(parts, function(p) {
    if (p == "alliance") return(moderator)
    if (startsWith(p, "tp")) return(paste0("tp[", substring(p, 3), "]"))
    if (startsWith(p, "arm")) return(paste0("arm[", substring(p, 4), "]"))
    p
  })
  paste(parts, collapse = ":")
}

fit <- function(scale, visits, formula, arm_label, rhs_label, arm = NULL) {
  s <- d[d$scale == scale & d$tp %in% visits & !is.na(d$score), ]
  people <- person
  if (!is.null(arm)) { s <- s[s$arm == arm, ]; people <- person[person$arm == arm, ] }
  centre <- mean(people$ta, na.rm = TRUE)
  s$alliance <- s$ta - centre
  s$tp <- factor(s$tp, levels = visits)
  if (grepl("alliance", formula)) s <- s[!is.na(s$alliance), ]
  m <- lmer(as.formula(paste(formula, "+ (1 | patient_id)")), data = s, REML = TRUE)
  co <- summary(m)$coefficients
  co <- co[rownames(co) != "(Intercept)", , drop = FALSE]
  data.frame(arm = arm_label,
             variables = paste0(scale, ".total ~ ", rhs_label, ": ",
                                sapply(rownames(co), label, moderator = "ta")),
             estimate = co[, "Estimate"], se = co[, "Std. Error"], df = co[, "df"],
             p = co[, "Pr(>|t|)"], row.names = NULL)
}

out <- rbind(
  fit("bdi", c("wk0", "wk2", "wk4", "wk6"), "score ~ tp * arm", "between arms", "tp * arm"),
  fit("qids", c("wk0", "wk2", "wk3", "wk6"), "score ~ tp * arm", "between arms", "tp * arm"),
  fit("bdi", c("wk0", "wk2", "wk4", "wk6"), "score ~ tp * alliance", "psilocybin", "tp * ta",
      arm = "psilocybin"),
  fit("wemwbs", c("wk0", "wk2", "wk4", "wk6"), "score ~ tp * alliance", "escitalopram",
      "tp * ta", arm = "escitalopram"),
  fit("wemwbs", c("wk0", "wk2", "wk4", "wk6"), "score ~ tp * arm * alliance", "between arms",
      "tp * arm * ta"))
write.csv(out, "tests/oracles/analyze/psilodep2_mixed_lme4.csv", row.names = FALSE)
cat(sprintf("%d rows; R %s, lme4 %s, lmerTest %s\n", nrow(out), getRversion(),
            packageVersion("lme4"), packageVersion("lmerTest")))
