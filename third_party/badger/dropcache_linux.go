//go:build linux

package badger

import "golang.org/x/sys/unix"

// dropCached asks the kernel to drop the file's cached pages in [from, to)
// (Patched for lienthong; see logFile.dropSynced).
func dropCached(lf *logFile, from, to int64) {
	_ = unix.Fadvise(int(lf.Fd.Fd()), from, to-from, unix.FADV_DONTNEED)
}
