package sample

// permutation is a keyed bijection on [0, n), for numbers that must be
// unique without remembering which were given out (card numbers): a
// four-round Feistel network over the smallest even power of two not below
// n, walked until it lands inside [0, n).
type permutation struct {
	n    uint64
	half uint // bits in each Feistel half
	mask uint64
	keys [4]uint64
}

func newPermutation(n, key uint64) permutation {
	p := permutation{n: n, half: 1}
	for uint64(1)<<(2*p.half) < n {
		p.half++
	}
	p.mask = 1<<p.half - 1
	for i := range p.keys {
		key = splitmix(key)
		p.keys[i] = key
	}
	return p
}

// at returns the image of x, which must be below n.
func (p permutation) at(x uint64) uint64 {
	for {
		l, r := x>>p.half, x&p.mask
		for _, k := range p.keys {
			l, r = r, l^(splitmix(r^k)&p.mask)
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}

// splitmix is the SplitMix64 finaliser, a cheap strong mixing function.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
