package briefings

// WatchWithReady exposes watch to the external tests, so that they can wait
// until the watches are in place instead of sleeping.
var WatchWithReady = watch
