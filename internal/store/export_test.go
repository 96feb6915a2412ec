package store

// SetOpsPerTxn sets the chunk size of Apply and returns a function that
// restores it.
func SetOpsPerTxn(n int) (restore func()) {
	old := maxOpsPerTxn
	maxOpsPerTxn = n
	return func() { maxOpsPerTxn = old }
}
