package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DatabaseStats is the state database's status at a scrape, for Database.
type DatabaseStats struct {
	Kind      string    // "sqlite" or "postgres"
	Up        bool      // the last check succeeded
	LastOK    time.Time // zero: never
	Checks    uint64    // checks since start-up
	Failures  uint64    // of those, failed
	Listening bool      // hears other replicas' changes (PostgreSQL)
	Catchups  uint64    // library refreshes a missed change notification caused
}

// Database exports the database's status, read from stats at every
// scrape: briefbot_database_up{kind}, briefbot_database_last_ok_timestamp_seconds,
// briefbot_database_checks_total{result}, briefbot_database_listening and
// briefbot_database_catchups_total. stats must not block.
func (m *Metrics) Database(stats func() DatabaseStats) error {
	return m.reg.Register(&databaseCollector{stats: stats})
}

var (
	dbUpDesc = prometheus.NewDesc("briefbot_database_up",
		"1 when the last check of the state database succeeded, 0 while it fails (answers go on from memory; state writes are retried).", []string{"kind"}, nil)
	dbLastOKDesc = prometheus.NewDesc("briefbot_database_last_ok_timestamp_seconds",
		"When the state database last answered a check (Unix time); absent before the first.", nil, nil)
	dbChecksDesc = prometheus.NewDesc("briefbot_database_checks_total",
		"Checks of the state database since start-up, by result (ok or failed).", []string{"result"}, nil)
	dbListeningDesc = prometheus.NewDesc("briefbot_database_listening",
		"1 while this replica hears the other replicas' changes through PostgreSQL notifications.", nil, nil)
	dbCatchupsDesc = prometheus.NewDesc("briefbot_database_catchups_total",
		"Library refreshes started by the periodic check because a change notification was missed.", nil, nil)
)

type databaseCollector struct {
	stats func() DatabaseStats
}

func (c *databaseCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbUpDesc, dbLastOKDesc, dbChecksDesc, dbListeningDesc, dbCatchupsDesc} {
		ch <- d
	}
}

func (c *databaseCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, b2f(s.Up), s.Kind)
	if !s.LastOK.IsZero() {
		ch <- prometheus.MustNewConstMetric(dbLastOKDesc, prometheus.GaugeValue, float64(s.LastOK.UnixNano())/1e9)
	}
	ch <- prometheus.MustNewConstMetric(dbChecksDesc, prometheus.CounterValue, float64(s.Checks-s.Failures), "ok")
	ch <- prometheus.MustNewConstMetric(dbChecksDesc, prometheus.CounterValue, float64(s.Failures), "failed")
	ch <- prometheus.MustNewConstMetric(dbListeningDesc, prometheus.GaugeValue, b2f(s.Listening))
	ch <- prometheus.MustNewConstMetric(dbCatchupsDesc, prometheus.CounterValue, float64(s.Catchups))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
