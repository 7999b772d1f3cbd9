# Oracle values for alliance_analysis.stats.reliability from R psych (run from the repository root:
#   Rscript tests/oracles/psych/psych_reliability.R
# after python tests/oracles/psych/make_data.py). Writes expected.csv: one row per
# set x missing-data mode x quantity x item index (0 = scale level), values printed with 17
# significant digits.
suppressPackageStartupMessages({library(psych); library(jsonlite)})
here <- "tests/oracles/psych"
sets <- fromJSON(file.path(here, "sets.json"))
out <- list()
add <- function(set, mode, quantity, values) {
  out[[length(out) + 1]] <<- data.frame(
    set = set, missing = mode, quantity = quantity,
    index = if (length(values) == 1) 0L else seq_along(values),
    value = sprintf("%.17g", as.numeric(values)))
}
for (name in sort(names(sets))) {
  s <- sets[[name]]
  x <- read.csv(file.path(here, paste0(name, ".csv")))
  rev <- unlist(s$reverse)
  if (length(rev)) x[, rev] <- s$lo + s$hi - x[, rev]   # keyed as the definition says
  k <- ncol(x)
  for (mode in c("listwise", "pairwise")) {
    if (mode == "pairwise" && !anyNA(x)) next
    d <- if (mode == "listwise") na.omit(x) else x
    a <- suppressWarnings(alpha(d, warnings = FALSE))
    add(name, mode, "alpha", a$total$raw_alpha)
    add(name, mode, "alpha_std", a$total$std.alpha)
    add(name, mode, "mean_r", a$total$average_r)
    add(name, mode, "item_total_r", a$item.stats$r.drop)
    add(name, mode, "alpha_if_deleted", a$alpha.drop$raw_alpha)
    add(name, mode, "alpha_std_if_deleted", a$alpha.drop$std.alpha)
    add(name, mode, "item_mean", a$item.stats$mean)
    add(name, mode, "item_sd", a$item.stats$sd)
    if (mode == "listwise") {
      n <- nrow(d)
      add(name, mode, "n", n)
      add(name, mode, "feldt_lower", a$feldt$lower.ci)   # psych::alpha's printed Feldt bounds
      add(name, mode, "feldt_upper", a$feldt$upper.ci)
    } else {
      ok <- !is.na(d)
      n <- min(crossprod(ok))                            # smallest pairwise-complete count
      add(name, mode, "n", n)
      ci <- alpha.ci(a$total$raw_alpha, n, k)
      add(name, mode, "feldt_lower", ci$lower.ci)
      add(name, mode, "feldt_upper", ci$upper.ci)
    }
    ci90 <- alpha.ci(a$total$raw_alpha, n, k, p.val = 0.10)
    add(name, mode, "feldt90_lower", ci90$lower.ci)
    add(name, mode, "feldt90_upper", ci90$upper.ci)
    om <- suppressWarnings(suppressMessages(
      omega(d, nfactors = 1, fm = "ml", plot = FALSE)))
    add(name, mode, "omega_total", om$omega.tot)
    add(name, mode, "omega_h", om$omega_h)
    add(name, mode, "loading", om$schmid$sl[, 1])
    add(name, mode, "uniqueness", om$schmid$sl[, "u2"])
  }
}
# Scales as the instrument definitions build them (the scale-level helper's oracle), listwise on
# the scale's own components. WAI-36 subscales (keyed above: 8 - x for the 14 reverse items):
listwise_scale <- function(set, d) {
  d <- na.omit(d)
  a <- suppressWarnings(alpha(d, warnings = FALSE))
  add(set, "listwise", "n", nrow(d))
  add(set, "listwise", "alpha", a$total$raw_alpha)
  add(set, "listwise", "alpha_std", a$total$std.alpha)
  add(set, "listwise", "feldt_lower", a$feldt$lower.ci)
  add(set, "listwise", "feldt_upper", a$feldt$upper.ci)
  add(set, "listwise", "item_total_r", a$item.stats$r.drop)
  om <- suppressWarnings(suppressMessages(omega(d, nfactors = 1, fm = "ml", plot = FALSE)))
  add(set, "listwise", "omega_total", om$omega.tot)
}
wai <- read.csv(file.path(here, "k36_n300_wai36.csv"))
wrev <- unlist(sets[["k36_n300_wai36"]]$reverse)
wai[, wrev] <- 8 - wai[, wrev]
subscales <- list(goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34),
                  task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
                  bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36))
for (sc in names(subscales)) listwise_scale(paste0("wai_36:", sc), wai[, subscales[[sc]]])
listwise_scale("wai_36:total", wai)
# QIDS-SR16 total: items 5, 10-14 and the three domains, each the maximum of its answered items
q <- read.csv(file.path(here, "k16_n120_qids.csv"))
dmax <- function(cols) apply(q[, cols], 1, function(r) if (all(is.na(r))) NA else max(r, na.rm = TRUE))
qt <- data.frame(q[, c(5, 10, 11, 12, 13, 14)], appetite_weight = dmax(6:9),
                 psychomotor = dmax(15:16), sleep = dmax(1:4))
listwise_scale("qids_sr16:total", qt)
res <- do.call(rbind, out)
write.csv(res, file.path(here, "expected.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(paste("R", paste(R.version$major, R.version$minor, sep = ".")),
             paste("psych", as.character(packageVersion("psych"))),
             paste("GPArotation", as.character(packageVersion("GPArotation")))),
           file.path(here, "versions.txt"))
