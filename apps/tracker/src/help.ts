/** The tracker's --help and --version texts. Every flag and directive in config-options.ts is named here (tested). */

export function versionText(version: string): string {
  return `tracker ${version} (opentracker-compatible BitTorrent tracker, HTTP + UDP)\n`;
}

export function helpText(): string {
  return `Usage: tracker [options]

An opentracker-compatible BitTorrent tracker (HTTP and UDP, BEP 3/15/23/48). Options are read left
to right, like opentracker's: -f reads a config file at that position and -i applies to the -p/-P
that follow it. Unknown options, unknown config directives and bad values stop the tracker with an
error naming the option or the config file line (opentracker ignores them).

Listening (opentracker flags):
  -i IP               address for the following -p/-P (default: BIND_HOST, else :: (IPv6 and IPv4 on one
                      socket) when the host has IPv6, else 0.0.0.0); IPv6 as ::1
  -p PORT             listen for HTTP (TCP) on the current -i address; repeatable; 0 = any free port
  -P PORT             listen for UDP on the current -i address; repeatable
                      Without any -p/-P/listen.* the tracker listens on TCP and UDP
                      <-i address>:<TRACKER_PORT or 6969>.

Access (opentracker flags):
  -w FILE             closed mode: only info_hashes listed in FILE are tracked (whitelist)
  -b FILE             open mode except the info_hashes listed in FILE (blacklist)
  --open              open mode: track every info_hash (must be chosen explicitly)
                      DEFAULT: with none of -w/-b/--open the tracker is closed on the suite's
                      whitelist, WHITELIST or ./whitelist. Only one of -w, -b, --open may be given.
                      List format (opentracker's): a line counts if it starts with 40 hex digits;
                      the rest of the line is a comment; '#' lines are comments. SIGHUP reloads it,
                      and the log says how many hashes were loaded and which lines were ignored.
  -A IP[/BITS]        allow this address or network to read /stats; repeatable.
                      DEFAULT: loopback only (127.0.0.0/8 and ::1), so the local stats app works;
                      opentracker allows nobody. Unlike opentracker's -A, this grants /stats only.
  --proxy IP[/BITS]   trust X-Forwarded-For from this reverse proxy (same as access.proxy); repeatable
  --stats-path PATH   serve the stats at /PATH instead of /stats (same as access.stats_path)
  -r URL              answer GET / with a 302 redirect to URL (http or https)

Process (opentracker flags):
  -f FILE             read an opentracker.conf-style config file here (see below); repeatable
  -u USER             when started as root: switch to USER after binding the ports. An unknown user
                      is an error (opentracker falls back to uid -2). Ignored with a warning when
                      not root.
  -d DIR              change to DIR after binding. There is no chroot (Node cannot chroot): the
                      tracker only chdirs, so it is not confined to DIR. Relative -w/-b/-l/
                      --state-file paths resolve inside DIR, as opentracker reads them after chdir;
                      absolute paths stay as they are, and other paths resolve against the
                      directory the tracker was started in.
  -l FILE             state file (opentracker's undocumented load-state flag); same as --state-file
  -h, --help          print this help and exit
  -v, --version       print the version and exit

Our settings (flag and config directive):
  --state-file FILE        tracker.state_file        download counts, saved every flush interval and
                                                     on exit. Default: TRACKER_STATE_FILE, or
                                                     DATA_DIR/tracker.state (./data/tracker.state)
  --pid-file FILE|none     tracker.pid_file          default DATA_DIR/tracker.pid; 'none' disables
  --interval SECONDS       tracker.interval          announce interval, 60-86400 (default 1800)
  --interval-jitter SECONDS tracker.interval_jitter  random spread added to the interval, less than
                                                     the interval (default 180)
  --peer-timeout SECONDS   tracker.peer_timeout      peers silent this long are dropped; more than
                                                     interval + jitter (default 2700 = 45 min)
  --numwant-default N      tracker.numwant_default   peers returned when the client asks for none
                                                     (default 50)
  --numwant-max N          tracker.numwant_max       most peers returned, 1-1000 (default 200)
  --scrape-max N           tracker.scrape_max        most info_hashes per HTTP scrape (default 64;
                                                     UDP scrapes carry at most 74)
  --flush-interval SECONDS tracker.flush_interval    how often the state file is written (default 5)
  --completion-window SECONDS tracker.completion_window
                                                     completed events from the same info_hash, peer_id
                                                     and IP within this window count once
                                                     (default 86400)
  --journal-file FILE      tracker.journal_file      completion journal: every counted download, appended
                                                     before the announce is answered, replayed at start,
                                                     served by /stats?mode=completions. Default: next to
                                                     the state file (tracker.state -> tracker.journal)
  --journal-keep N         tracker.journal_keep      completions kept for the feed, in memory (28 bytes
                                                     each) and in the journal file, which holds at
                                                     most twice as many lines (100-1000000, default
                                                     100000)
  --completions-per-address N tracker.completions_per_address
                                                     downloads one address (IPv4, or an IPv6 /64) adds per
                                                     torrent per completion window, 1-15 (default 5;
                                                     clients behind one NAT share it)
  --max-completers N       tracker.max_completers    entries remembered for these limits over all
                                                     torrents, two per download within the window, ~30
                                                     bytes each (default 524288); when full, downloads
                                                     from addresses not remembered are not counted
  --max-torrents N         tracker.max_torrents      open/blacklist mode: most torrents held; announces
                                                     of new ones beyond it are refused (default 50000)
  --torrent-idle-timeout SECONDS tracker.torrent_idle_timeout
                                                     open/blacklist mode: a torrent without peers is
                                                     forgotten, download count included, after this
                                                     long idle (default 86400, as opentracker); in
                                                     closed mode counts are kept forever
  --max-peers-per-torrent N tracker.max_peers_per_torrent
                                                     peers stored per torrent and address family; more
                                                     are answered but not stored (default 100000)
  --max-connections N      tracker.max_connections   HTTP connections open at once; more are closed at
                                                     accept (default 1024)
  --max-connections-per-ip N tracker.max_connections_per_ip
                                                     HTTP connections open at once from one address,
                                                     IPv6 counted per /64; not applied to -A and
                                                     access.proxy addresses (default 32)
  --max-connection-age SECONDS tracker.max_connection_age
                                                     a keep-alive connection is closed after this long:
                                                     at its next reply, or at once when idle (default 300).
                                                     Idle connections close after 30 s, a request head
                                                     must arrive within 10 s, and a client that stops
                                                     reading is not read from until 16 KiB of replies
                                                     drain.
  --store memory|URL       tracker.store             where swarms and counts live: memory (default; one
                                                     process) or redis://[user:password@]host:port[/db]
                                                     (rediss:// for TLS) shared by several instances;
                                                     also TRACKER_STORE
  --store-prefix TEXT      tracker.store_prefix      prefix of every Redis key (default rts:), so sites
                                                     can share one Redis
  --store-password-file FILE tracker.store_password_file
                                                     Redis password from a file (else REDIS_PASSWORD,
                                                     else the URL); never logged
  --log-level LEVEL        tracker.log_level         fatal, error, warn, info, debug, trace or silent
                                                     (default info)
  Long options also accept --name=value.

Config file (-f), one "keyword value" per line, '#' comments, blank lines allowed:
  listen.tcp_udp IP[:PORT]   listen on TCP and UDP (default port 6969; IPv6 as [addr]:port)
  listen.tcp IP[:PORT]       listen on TCP only
  listen.udp IP[:PORT]       listen on UDP only
  listen.udp.workers N       accepted for compatibility and ignored (UDP runs on the event loop)
  access.whitelist FILE      as -w
  access.blacklist FILE      as -b
  access.open                as --open (no value)
  access.stats IP[/BITS]     as -A
  access.stats_path PATH     as --stats-path
  access.proxy IP[/BITS]     as --proxy
  tracker.redirect_url URL   as -r
  tracker.user USER          as -u
  tracker.rootdir DIR        as -d
  tracker.* settings listed above.
  Not supported (error): live sync (-s, livesync.*), access.fifo_add, access.fifo_delete.

Environment: WHITELIST, DATA_DIR, TRACKER_PORT, BIND_HOST and TRACKER_STATE_FILE set the defaults
above (shared with the publisher and the stats app). Signals: SIGHUP reloads the access list;
SIGINT and SIGTERM save the state and exit.
TRACKER_STORE sets --store and REDIS_PASSWORD the Redis password (unless --store-password-file).
`;
}
