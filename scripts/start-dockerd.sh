#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for the docker:// dev
# database mode and its tests.
#
# Usage: scripts/start-dockerd.sh
#
# Does nothing when an engine already answers (`docker info`). Otherwise, as
# root on Debian: installs docker.io with apt-get when dockerd is missing,
# starts dockerd in the background (log: $DOCKERD_LOG, default
# /var/log/schemactl-dockerd.log) and waits until it answers, at most
# $DOCKERD_WAIT seconds (default 60). Extra dockerd flags: $DOCKERD_FLAGS.
# Exits non-zero with a message when the engine cannot be made to answer.
set -euo pipefail

log="${DOCKERD_LOG:-/var/log/schemactl-dockerd.log}"
wait_s="${DOCKERD_WAIT:-60}"

die() {
	echo "start-dockerd: $*" >&2
	exit 1
}

mkdir -p "$(dirname "$log")"

engine_answers() {
	timeout 10 docker info >/dev/null 2>&1
}

if command -v docker >/dev/null 2>&1 && engine_answers; then
	echo "start-dockerd: a Docker engine already answers"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	die "no Docker engine answers, and starting one needs root (run as root, or start Docker yourself)"
fi

if ! command -v dockerd >/dev/null 2>&1; then
	command -v apt-get >/dev/null 2>&1 || die "dockerd is not installed and there is no apt-get to install docker.io with"
	echo "start-dockerd: installing docker.io"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >"$log.apt" 2>&1 || die "apt-get update failed; see $log.apt"
	apt-get install -y -qq --no-install-recommends docker.io >>"$log.apt" 2>&1 ||
		die "apt-get install docker.io failed; see $log.apt"
	command -v dockerd >/dev/null 2>&1 || die "docker.io installed, but there is still no dockerd on PATH"
fi
command -v docker >/dev/null 2>&1 || die "no docker client on PATH"

# start FLAGS...: starts dockerd with these flags and waits until it answers.
# Returns non-zero when dockerd exits or does not answer in time.
start() {
	echo "start-dockerd: starting dockerd${*:+ $*} (log: $log)"
	# setsid: the daemon outlives this script and its process group.
	# shellcheck disable=SC2086
	setsid dockerd "$@" $DOCKERD_FLAGS >>"$log" 2>&1 </dev/null &
	local pid=$! i t0=$EPOCHREALTIME
	for ((i = 0; i < wait_s * 4; i++)); do
		if engine_answers; then
			echo "start-dockerd: dockerd (pid $pid) answers after $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }")s"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "start-dockerd: dockerd exited; its last lines:" >&2
			tail -n 5 "$log" >&2
			return 1
		fi
		sleep 0.25
	done
	echo "start-dockerd: dockerd (pid $pid) did not answer within ${wait_s}s; stopping it" >&2
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return 1
}

DOCKERD_FLAGS="${DOCKERD_FLAGS:-}"
: >"$log"
# A dockerd killed without cleaning up leaves its pid file behind; one that
# names a live dockerd (not a zombie, not a reused pid) means another daemon
# is starting or hung.
if [ -f /var/run/docker.pid ]; then
	old="$(cat /var/run/docker.pid 2>/dev/null || true)"
	if [ -n "$old" ] && [ "$(cat "/proc/$old/comm" 2>/dev/null)" = dockerd ] &&
		! grep -q '^[0-9]* ([^)]*) Z' "/proc/$old/stat" 2>/dev/null; then
		die "dockerd (pid $old) runs but does not answer; see $log or stop it"
	fi
	rm -f /var/run/docker.pid
fi

# A containerd that a killed dockerd started lives on, and a new dockerd
# waits for it in vain: stop it first.
cpidf=/var/run/docker/containerd/containerd.pid
if [ -f "$cpidf" ]; then
	cpid="$(cat "$cpidf" 2>/dev/null || true)"
	if [ -n "$cpid" ] && [ "$(cat "/proc/$cpid/comm" 2>/dev/null)" = containerd ] &&
		tr '\0' ' ' <"/proc/$cpid/cmdline" | grep -q /var/run/docker/containerd/; then
		echo "start-dockerd: stopping containerd (pid $cpid) left by a dockerd that died"
		kill "$cpid" 2>/dev/null || true
		for ((i = 0; i < 40; i++)); do
			[ -d "/proc/$cpid" ] || break
			sleep 0.25
		done
		kill -9 "$cpid" 2>/dev/null || true
	fi
	rm -f "$cpidf"
fi

# Published ports (-p 127.0.0.1::5432) need iptables NAT or the userland
# proxy; where the kernel refuses iptables, a second try runs without it and
# relies on the proxy alone.
start && exit 0
if grep -qi iptables "$log"; then
	start --iptables=false --ip6tables=false && exit 0
fi
die "could not start dockerd; see $log"
