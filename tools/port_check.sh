# Sourced by dist_train.sh / dist_test.sh: one `mmdfkd error:` line instead
# of torchrun's traceback when the rendezvous port (PORT) is taken on the
# master node.
if [ "$NODE_RANK" = 0 ] && ! python - "$PORT" 2>/dev/null <<'PY'
import socket, sys
with socket.socket() as s:
    s.bind(('', int(sys.argv[1])))
PY
then
    echo "mmdfkd error: port $PORT is in use (another run, or one that" \
        "has not exited yet). Fix: PORT=<a free port> $0 $*" >&2
    exit 1
fi
