package migrations

import (
	"context"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
)

// terminateMsg is the protocol's Terminate message.
var terminateMsg = []byte{'X', 0, 0, 0, 4}

// CloseWait closes conn and waits, up to timeout, for its server process to
// go: the server closes its end of the connection only after its entry in
// pg_stat_activity is gone, so that when CloseWait returns the connection
// slot is free again. A fleet run that bounds its connections relies on
// it: a connection closed the usual way still holds a slot for a moment.
func CloseWait(conn *pgx.Conn, timeout time.Duration) {
	hc, err := conn.PgConn().Hijack()
	if err != nil {
		conn.Close(context.Background())
		return
	}
	nc := hc.Conn
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(timeout)); err != nil {
		return
	}
	if _, err := nc.Write(terminateMsg); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, nc)
}
