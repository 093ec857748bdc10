package acl

// SetMaxStates sets the DFA state limit per trie (to force splits) and
// returns a function that restores it. Not safe with parallel builds.
func SetMaxStates(n int) (restore func()) {
	old := maxStates
	maxStates = n
	return func() { maxStates = old }
}

// SetMaxEntries sets the transition limit per trie and returns a function
// that restores it.
func SetMaxEntries(n int) (restore func()) {
	old := maxEntries
	maxEntries = n
	return func() { maxEntries = old }
}
