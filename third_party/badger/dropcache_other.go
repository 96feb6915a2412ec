//go:build !linux

package badger

// dropCached does nothing where the kernel takes no such advice (Patched
// for lienthong; see logFile.dropSynced).
func dropCached(lf *logFile, from, to int64) {}
