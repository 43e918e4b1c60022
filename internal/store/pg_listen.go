package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Listen's timing: the back-off between connection attempts doubles from
// listenFirstBackoff up to listenMaxBackoff; after listenCheckEvery without
// a notification the connection is pinged (within listenPingTimeout), so
// that a connection that died silently (a host gone, a dropped NAT entry)
// is noticed.
const (
	listenFirstBackoff = 100 * time.Millisecond
	listenMaxBackoff   = 5 * time.Second
	listenCheckEvery   = 30 * time.Second
	listenPingTimeout  = 10 * time.Second
)

// listenApplicationSuffix marks the listening connection in
// pg_stat_activity.application_name.
const listenApplicationSuffix = " listen"

// Listen calls onChange(channel) for each notification on ArticlesChannel
// and SubscriptionsChannel: another replica (or this one) changed articles
// or subscriptions, and the caller re-reads them. It listens on a
// connection of its own, dialled with the pool's configuration but not
// taken from the pool.
//
// When the connection is lost, Listen reconnects with back-off (100 ms,
// doubling up to 5 s) for as long as ctx allows. Notifications sent while
// it was disconnected are lost, so after every successful connection, the
// first included, it calls onChange once for each channel. onChange runs
// on Listen's goroutine, one call at a time; while it runs, notifications
// wait (the server queues them).
//
// Listen returns only when ctx is done, with nil.
func (p *Postgres) Listen(ctx context.Context, onChange func(channel string)) error {
	var (
		backoff  = listenFirstBackoff
		ever     bool      // connected at least once
		lostAt   time.Time // when the last connection was lost
		attempts int       // failed attempts since then
	)
	for {
		err := p.listenOnce(ctx, func() {
			if ever {
				p.logger.Info("store notifications reconnected", "database", p.name,
					"down_for", time.Since(lostAt).Round(time.Millisecond), "failed_attempts", attempts)
			} else {
				p.logger.Debug("store listening for notifications", "database", p.name)
			}
			ever, backoff, attempts = true, listenFirstBackoff, 0
			onChange(ArticlesChannel)
			onChange(SubscriptionsChannel)
		}, onChange)
		if ctx.Err() != nil {
			return nil
		}
		if attempts == 0 {
			lostAt = time.Now()
		}
		attempts++
		p.logger.Warn("store notifications: no connection; retrying", "database", p.name,
			"error", redact(err, p.secrets), "attempt", attempts, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listenOnce connects, LISTENs, calls connected, and passes notifications
// to onChange until the connection fails or ctx is done.
func (p *Postgres) listenOnce(ctx context.Context, connected func(), onChange func(string)) error {
	cfg := p.conn.Copy()
	cfg.RuntimeParams["application_name"] += listenApplicationSuffix
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx) // the connection may be broken already
	}()
	for _, ch := range []string{ArticlesChannel, SubscriptionsChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("listen on %s: %w", ch, err)
		}
	}
	p.listening.Store(true)
	defer p.listening.Store(false)
	connected()
	for {
		waitCtx, cancel := context.WithTimeout(ctx, listenCheckEvery)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			onChange(n.Channel)
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("wait for notifications: %w", err)
		}
		// quiet for a while: is the server still there?
		pingCtx, cancel := context.WithTimeout(ctx, listenPingTimeout)
		err = conn.Ping(pingCtx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("the connection stopped answering: %w", err)
		}
	}
}

// Listening reports whether a Listen call holds a connection that hears
// notifications now.
func (p *Postgres) Listening() bool { return p.listening.Load() }
