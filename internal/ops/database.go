package ops

import "time"

// Database is the /readyz detail on the state database.
type Database struct {
	Kind  string `json:"kind"`  // "sqlite" or "postgres"
	Where string `json:"where"` // the file, or the server and database without the password
	// State is "ok" or "unreachable" (the last check failed: answers go on
	// from memory, state writes are retried).
	State       string     `json:"state"`
	LastOK      *time.Time `json:"last_ok,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// Listening is whether this replica hears the other replicas' changes
	// (PostgreSQL only).
	Listening *bool `json:"listening,omitempty"`
}

// SetDatabase makes every readiness check describe the database, as
// report returns it. report is called on every check, so it must not
// block. An unreachable database never makes the process unready: every
// replica shares it, and answers go on from the articles in memory.
func (h *Health) SetDatabase(report func() Database) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.database = report
}
