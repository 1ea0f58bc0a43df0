package rnn

// splitmix64 derives independent seeds from one (Seed -> BuildSeed, ...).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func deriveSeed(seed uint64, k uint64) uint64 {
	s := splitmix64(seed ^ splitmix64(k))
	if s == 0 {
		s = 1
	}
	return s
}

// nullSeed is the null model's seed: derived from the build seed, or with
// one network per experiment from the run's seed (a control drawn per seed).
func nullSeed(spec RunSpec) uint64 {
	if spec.NetworkPer == NetworkPerExperiment {
		return deriveSeed(spec.Seed, 4)
	}
	return deriveSeed(spec.BuildSeed, 4)
}
