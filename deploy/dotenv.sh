# shellcheck shell=bash
# Sourced by deploy/serve: read chosen variables from a .env file the way Ruta's settings do (django-environ's
# Env.read_env), so that what the README lets you put in .env reaches the start-up script too.
#
#   ruta_dotenv_load FILE NAME...   export each NAME that FILE sets, unless the environment already has it (the real
#                                   environment always wins, even when it sets a variable to "").
#
# Values are never evaluated by the shell: no $(...), no $VAR, no globbing, no word splitting. As in django-environ:
# lines are NAME=value (optionally after "export "), everything after the first = is the value, '...' or "..." around
# it are removed (inside "...", \X becomes X except \n, \r and \t, which stay as written), a later line wins over
# an earlier one, comments are whole lines starting with #. tests/test_deploy_operations.py checks it against
# django-environ line by line.

_ruta_dotenv_unescape() {  # the inside of "...": \X -> X, except \n \r \t kept as they are
  local LC_ALL=C text=$1 out="" char next i=0
  while ((i < ${#text})); do
    char=${text:i:1}
    if [[ $char == "\\" ]] && ((i + 1 < ${#text})); then
      next=${text:i+1:1}
      case $next in
        n | r | t) out+="\\$next" ;;
        *) out+=$next ;;
      esac
      ((i += 2))
    else
      out+=$char
      ((i += 1))
    fi
  done
  REPLY=$out
}

ruta_dotenv_load() {
  local LC_ALL=C file=$1 line name value wanted  # byte by byte, as [A-Za-z] means in Python whatever the locale
  shift
  [[ -f $file && -r $file ]] || return 0
  local -A found=()
  local pattern='^(export )?([A-Za-z_0-9]+)=(.*)$'
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ $pattern ]] || continue
    name=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    if [[ $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    if [[ $value =~ ^\"(.*)\"$ ]]; then
      _ruta_dotenv_unescape "${BASH_REMATCH[1]}"
      value=$REPLY
    fi
    found[$name]=$value
  done <"$file"
  for wanted in "$@"; do
    if [[ -v "found[$wanted]" && ! -v $wanted ]]; then
      export "$wanted=${found[$wanted]}"
    fi
  done
}
