#!/bin/bash
# usage: ENV... run.sh N DURATION  -> runs server with env knobs, then the clients, then stops the server
cd "$(dirname "$0")"
./.build/release/HBRepro > server.out 2> server.err &
SPID=$!
sleep 1.5
head -1 server.out
python3 slowclients.py $SPID "$1" "$2"
kill $SPID; wait $SPID 2>/dev/null
