#!/usr/bin/env Rscript
# make-world-map.R: converts Natural Earth data into the world map PsWorldMap draws
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run once by hand, not at build time; the output is committed next to this script:
#
#   Rscript data/map/make-world-map.R
#
# Needs R, and the Debian packages r-cran-rnaturalearthdata (Natural Earth 1:110m and 1:50m
# vectors, public domain) and r-cran-sp, which it depends on. The script uses base R only
# besides sp's classes, so it runs without sf. If /usr/share/iso-codes/json/iso_3166-1.json
# exists (Debian's iso-codes), the ISO codes missing from the centroid table are listed on
# stderr; nothing from iso-codes goes into the output.
#
# Outputs
#
# world-outline.bin: the land, as the countries of Natural Earth 1:110m admin 0 without
#   Antarctica (the map stops at 60° south). All integers are big-endian.
#
#     offset  size  field
#     0       4     magic "PSWM"
#     4       1     version, 1
#     5       1     flags, 0
#     6       2     u16 number of rings
#     8       ...   the rings, one after the other:
#                     1  kind: 0 an outer ring, 1 a hole
#                     2  u16 number of points n, at least 3
#                     4n n points, each an s16 x then an s16 y:
#                        x = round (longitude / 180 * 32767)
#                        y = round (latitude  /  90 * 32767)
#                        so -32768 never occurs
#
#   Rings are closed implicitly: the last point does not repeat the first. Outer rings run
#   counter-clockwise with north up and holes clockwise, so filling all rings as one path
#   with the non-zero winding rule gives the land (a hole's island, such as Lesotho inside
#   South Africa, is an outer ring of its own). The file ends after the last ring.
#
# country-centroids.tsv: one line per ISO 3166-1 alpha-2 code, sorted by code, after a
#   comment line that starts with "#":
#
#     code <TAB> English name <TAB> latitude <TAB> longitude
#
#   in degrees with two decimals. The point is a label point inside the country's largest
#   polygon: its centroid, or if that falls outside (a crescent-shaped country), the middle
#   of the widest stretch of land on the centroid's parallel. The countries come from
#   Natural Earth 1:50m admin 0 countries, then the map units (French overseas departments,
#   Svalbard, Christmas Island, ...), then the tiny-country points. Kosovo, which has no ISO
#   code, gets the user-assigned XK that GeoIP databases use.

suppressPackageStartupMessages (library (sp))

script_dir <- local ({
  file_arg <- grep ("^--file=", commandArgs (trailingOnly = FALSE), value = TRUE)
  if (length (file_arg) == 1) dirname (normalizePath (sub ("^--file=", "", file_arg))) else "."
})

load_ne <- function (name) {
  env <- new.env ()
  data (list = name, package = "rnaturalearthdata", envir = env)
  get (name, envir = env)
}

# Signed area of a ring in degrees², positive counter-clockwise (north up).
ring_area <- function (xy) {
  x <- xy[, 1]
  y <- xy[, 2]
  n <- length (x)
  j <- c (2:n, 1)
  sum (x * y[j] - x[j] * y) / 2
}

# Drop the closing point and consecutive duplicates.
open_ring <- function (xy) {
  n <- nrow (xy)
  if (n > 1 && all (xy[1, ] == xy[n, ]))
    xy <- xy[-n, , drop = FALSE]
  keep <- c (TRUE, rowSums (abs (diff (xy))) > 0)
  xy[keep, , drop = FALSE]
}

# ---- world-outline.bin ------------------------------------------------------------------

quantise <- function (v, full) {
  q <- round (v / full * 32767)
  pmax (pmin (q, 32767), -32767)
}

write_outline <- function (path) {
  countries <- load_ne ("countries110")
  rings <- list ()

  for (i in seq_along (countries@polygons)) {
    if (countries@data$adm0_a3[i] == "ATA")
      next
    for (poly in countries@polygons[[i]]@Polygons) {
      xy <- cbind (quantise (poly@coords[, 1], 180), quantise (poly@coords[, 2], 90))
      xy <- open_ring (xy)
      if (nrow (xy) < 3)
        next
      area <- ring_area (xy)
      if (area == 0)
        next
      if ((area > 0) == poly@hole)
        xy <- xy[nrow (xy):1, , drop = FALSE]
      rings[[length (rings) + 1]] <- list (hole = poly@hole, xy = xy)
    }
  }

  stopifnot (length (rings) < 65536)
  con <- file (path, "wb")
  on.exit (close (con))
  writeBin (charToRaw ("PSWM"), con)
  writeBin (as.integer (c (1, 0)), con, size = 1)
  writeBin (length (rings), con, size = 2, endian = "big")
  n_points <- 0
  for (ring in rings) {
    stopifnot (nrow (ring$xy) < 65536)
    writeBin (as.integer (ring$hole), con, size = 1)
    writeBin (nrow (ring$xy), con, size = 2, endian = "big")
    writeBin (as.integer (t (ring$xy)), con, size = 2, endian = "big")
    n_points <- n_points + nrow (ring$xy)
  }
  message (sprintf ("%s: %d rings, %d points", basename (path), length (rings), n_points))
}

# ---- country-centroids.tsv --------------------------------------------------------------

point_in_ring <- function (x, y, xy) {
  point.in.polygon (x, y, xy[, 1], xy[, 2]) > 0
}

# The middle of the widest stretch of the ring on the parallel y.
widest_on_parallel <- function (y, xy) {
  n <- nrow (xy)
  j <- c (2:n, 1)
  y1 <- xy[, 2]
  y2 <- xy[j, 2]
  crosses <- (y1 <= y & y2 > y) | (y2 <= y & y1 > y)
  xs <- sort (xy[crosses, 1] + (y - y1[crosses]) / (y2[crosses] - y1[crosses]) *
              (xy[j, 1][crosses] - xy[crosses, 1]))
  if (length (xs) < 2)
    return (NULL)
  starts <- xs[seq (1, length (xs) - 1, by = 2)]
  ends <- xs[seq (2, length (xs), by = 2)]
  k <- which.max (ends - starts)
  (starts[k] + ends[k]) / 2
}

label_point <- function (polygons) {
  best <- NULL
  best_area <- -1
  for (poly in polygons@Polygons) {
    if (poly@hole)
      next
    xy <- open_ring (poly@coords)
    if (nrow (xy) < 3)
      next
    # compare areas on the ground, not in degrees²
    area <- abs (ring_area (xy)) * cos (mean (xy[, 2]) * pi / 180)
    if (area > best_area) {
      best <- xy
      best_area <- area
    }
  }
  if (is.null (best))
    return (polygons@labpt)

  a <- ring_area (best)
  n <- nrow (best)
  j <- c (2:n, 1)
  cross <- best[, 1] * best[j, 2] - best[j, 1] * best[, 2]
  cx <- sum ((best[, 1] + best[j, 1]) * cross) / (6 * a)
  cy <- sum ((best[, 2] + best[j, 2]) * cross) / (6 * a)
  if (point_in_ring (cx, cy, best))
    return (c (cx, cy))

  x <- widest_on_parallel (cy, best)
  if (!is.null (x) && point_in_ring (x, cy, best))
    return (c (x, cy))
  polygons@labpt
}

iso_code <- function (data, i) {
  code <- data$iso_a2[i]
  if (is.na (code) && data$adm0_a3[i] == "KOS")
    code <- "XK"
  if (is.na (code) || !grepl ("^[A-Z]{2}$", code))
    return (NA)
  code
}

write_centroids <- function (path) {
  rows <- list ()

  add_unit <- function (code, name, lon, lat) {
    if (is.na (code) || !is.null (rows[[code]]))
      return ()
    name <- gsub ("[\t\n]", " ", name)
    rows[[code]] <<- list (code = code, name = name, lat = lat, lon = lon)
  }

  for (source in c ("countries50", "map_units50")) {
    units <- load_ne (source)
    for (i in seq_along (units@polygons)) {
      pt <- label_point (units@polygons[[i]])
      add_unit (iso_code (units@data, i), units@data$name_long[i], pt[1], pt[2])
    }
  }

  tiny <- load_ne ("tiny_countries50")
  xy <- coordinates (tiny)
  for (i in seq_len (nrow (xy)))
    add_unit (iso_code (tiny@data, i), tiny@data$name_long[i], xy[i, 1], xy[i, 2])

  codes <- sort (names (rows))
  lines <- vapply (codes, function (code) {
    r <- rows[[code]]
    sprintf ("%s\t%s\t%.2f\t%.2f", r$code, r$name, r$lat, r$lon)
  }, "")
  con <- file (path, "w", encoding = "UTF-8")
  on.exit (close (con))
  writeLines (c ("# code\tname\tlatitude\tlongitude (Natural Earth, public domain)", lines),
              con, useBytes = TRUE)
  message (sprintf ("%s: %d countries", basename (path), length (codes)))

  iso_json <- "/usr/share/iso-codes/json/iso_3166-1.json"
  if (file.exists (iso_json)) {
    json <- readLines (iso_json, warn = FALSE)
    known <- regmatches (json, regexpr ("\"alpha_2\": \"[A-Z]{2}\"", json))
    known <- substr (known, 13, 14)
    missing <- setdiff (known, codes)
    if (length (missing) > 0)
      message ("not in Natural Earth: ", paste (sort (missing), collapse = " "))
  }
}

write_outline (file.path (script_dir, "world-outline.bin"))
write_centroids (file.path (script_dir, "country-centroids.tsv"))
