# The usage text of a script in tools/: the comment block at its top, below the #! line.
#
#   source tools/lib/usage.bash
#   case "${1:-}" in -h | --help) usage; exit 0 ;; esac

# usage: prints the calling script's leading comment block without its "# ".
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
