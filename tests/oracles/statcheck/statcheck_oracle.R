# Oracle for the audit tests: R statcheck 1.4.0 on the plain text of the audit fixtures.
# Run from the repository root:  Rscript tests/oracles/statcheck/statcheck_oracle.R
# Writes tests/oracles/statcheck/fixture_verdicts.csv (one row per result statcheck finds).
library(statcheck)
txt <- paste(readLines("tests/fixtures/audit/article.txt", encoding = "UTF-8"), collapse = "\n")
extra <- c("F(2, 28) < 1, p = .35", "F(1, 20) < 1, p = .35", "t(28) = 2.20, p = .03",
           "t(28) = 2.20, p = .06", "r(97) = .17, p = .084", "chi2(1, N = 1,234) = 3.90, p = .048",
           "F(1, 1200) = 12.3, p < .001", "Q(5) = 11.07, p = .05", "t(10) = 1.50, p = .16",
           "F(3, 120) = 2.68, p = .05", "t(21) = 0.00, p > .999", "r(112) = .00, p = .996")
res <- statcheck(c(txt, extra), messages = FALSE, OneTailedTxt = FALSE)
out <- data.frame(raw = res$raw, test_type = res$test_type, df1 = res$df1, df2 = res$df2,
                  test_comp = res$test_comp, test_value = res$test_value, p_comp = res$p_comp,
                  reported_p = res$reported_p, computed_p = signif(res$computed_p, 10),
                  error = res$error, decision_error = res$decision_error)
write.csv(out, "tests/oracles/statcheck/fixture_verdicts.csv", row.names = FALSE,
          fileEncoding = "UTF-8")
cat(sprintf("statcheck %s: %d results\n", packageVersion("statcheck"), nrow(out)))
