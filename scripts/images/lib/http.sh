# shellcheck shell=sh
# The smallest HTTP/1.1 responder, for busybox ash. One request per connection: a stand-in's
# entrypoint runs `nc -lll… -p PORT -e <handler>` (busybox nc: with -e, two or more -l mean
# "persistent, fork a handler per connection", and the count of -l is the listen backlog), so the
# handler's stdin/stdout are the socket. Sourced by every handler; stderr goes to the container log.
CR=$(printf '\r')

# Sets REQ_METHOD REQ_TARGET REQ_PATH REQ_QUERY REQ_LENGTH REQ_BODY REQ_HOST REQ_XFP REQ_XFF.
# Returns 1 when the client sent no request line (a bare TCP probe).
http_read_request() {
  REQ_METHOD='' REQ_TARGET='' REQ_PATH='' REQ_QUERY='' REQ_LENGTH=0 REQ_BODY='' REQ_HOST='' REQ_XFP='' REQ_XFF=''
  IFS=' ' read -r -t 10 REQ_METHOD REQ_TARGET _proto || return 1
  REQ_TARGET=${REQ_TARGET%"$CR"}
  REQ_PATH=${REQ_TARGET%%\?*}
  case $REQ_TARGET in *\?*) REQ_QUERY=${REQ_TARGET#*\?} ;; esac
  while IFS= read -r -t 10 _line; do
    _line=${_line%"$CR"}
    [ -z "$_line" ] && break
    _value=${_line#*:}
    _value=${_value# }
    case $_line in
      [Cc]ontent-[Ll]ength:*) REQ_LENGTH=$_value ;;
      [Hh]ost:*) REQ_HOST=$_value ;;
      [Xx]-[Ff]orwarded-[Pp]roto:*) REQ_XFP=$_value ;;
      [Xx]-[Ff]orwarded-[Ff]or:*) REQ_XFF=$_value ;;
    esac
  done
  case $REQ_LENGTH in '' | *[!0-9]*) REQ_LENGTH=0 ;; esac
  if [ "$REQ_LENGTH" -gt 0 ]; then REQ_BODY=$(head -c "$REQ_LENGTH"); fi
  return 0
}

# http_respond "<code> <reason>" <content-type> <body>. HEAD gets the headers only.
http_respond() {
  _len=$(printf '%s' "$3" | wc -c)
  printf 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\nServer: %s\r\n\r\n' \
    "$1" "$2" "$((_len))" "${STANDIN_SERVER:-standin}"
  [ "$REQ_METHOD" = HEAD ] || printf '%s' "$3"
}

http_json() { http_respond "$1" 'application/json' "$2"; }
http_not_found() { http_json '404 Not Found' "{\"error\":\"not found\",\"path\":\"$REQ_PATH\"}"; }

# Listen on $1 with handler $2, forever (backlog 64: concurrent health checks never wait for a SYN retry).
http_serve() {
  nc -llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll -p "$1" -e "$2"
}

# Time in centiseconds since boot (busybox date has no %N).
uptime_cs() { IFS=' .' read -r _s _cs _rest </proc/uptime; echo "$((_s * 100 + ${_cs#0}))"; }
