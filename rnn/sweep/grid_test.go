package sweep

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

// TestRunIDsUnchanged pins the run ids of the presets and example.toml, in
// plan order, as the sweep code before the settings table computed them:
// shards split by position and a resumed sweep finds its runs by id, so
// neither the order nor an id may change. Each row is the count and a hash
// of the ids, raw (Plan without canonical) and after rnn.Defaults.
func TestRunIDsUnchanged(t *testing.T) {
	want := map[string][2]string{ // name -> raw, defaults: "count hash"
		"paper-all":          {"2160 05a727092c5d592f", "2160 a326a303649d1b1f"},
		"paper-all-quick":    {"30 1dbdbd573070ebc2", "30 bbb6c734536f012f"},
		"paper-nback":        {"720 875b151fedeccf8a", "720 5f1c660c919c3dfd"},
		"paper-nback-quick":  {"10 97cf79bd11ba5024", "10 78e0273f78ce255e"},
		"paper-pic":          {"720 eff21473e20996c5", "720 1aaae28f0824d3c2"},
		"paper-pic-quick":    {"10 87d8fc342b4560cc", "10 acfbc5fc171deee1"},
		"paper-seqmem":       {"720 36b4f3934d4c29cc", "720 503b4db45f736b7f"},
		"paper-seqmem-quick": {"10 554949b2c7e9a957", "10 ff708c7a7ecabdd7"},
		"example":            {"40 6d3012072eb86f4b", "40 d7c86f3573cffab5"},
		// Pinned when they were added.
		"paper-exact-all":          {"2160 ed07eefaa786d03a", "2160 f47b66856a044cae"},
		"paper-exact-all-quick":    {"30 d488678edc7b4230", "30 7a1916df7f6f3b0d"},
		"paper-exact-nback":        {"720 e23d92b91e010fc1", "720 b33ffbda1df9ddfa"},
		"paper-exact-nback-quick":  {"10 49c7b938a8cfe596", "10 9ebb792bac126eac"},
		"paper-exact-pic":          {"720 5b985a46abe7d52d", "720 a83762bfc2a6ad18"},
		"paper-exact-pic-quick":    {"10 3632ddf49340ec18", "10 096914b9efd75df5"},
		"paper-exact-seqmem":       {"720 994322ab07803c16", "720 0278cb248eeda117"},
		"paper-exact-seqmem-quick": {"10 d2657b80b176c52d", "10 ec1463ab1e84fa7d"},
	}
	configs := map[string]*Config{}
	for _, name := range PresetNames() {
		for _, quick := range []bool{false, true} {
			c, err := Preset(name, quick)
			if err != nil {
				t.Fatal(err)
			}
			configs[c.Name] = c
		}
	}
	ex, err := Load(filepath.Join("testdata", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	configs["example"] = ex
	canonical := func(s rnn.RunSpec) (rnn.RunSpec, error) {
		s.MNISTDir = "unused" // Defaults checks that pic_latent_mem names its folder
		return rnn.Defaults(s)
	}
	for name, c := range configs {
		for k, canon := range []func(rnn.RunSpec) (rnn.RunSpec, error){nil, canonical} {
			plan, err := Plan(c, canon)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(plan))
			for i, p := range plan {
				ids[i] = p.ID
			}
			sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
			if got := fmt.Sprintf("%d %x", len(ids), sum[:8]); got != want[name][k] {
				t.Errorf("%s (canonical %v): ids %s, want %s", name, k == 1, got, want[name][k])
			}
		}
	}
	if len(configs) != len(want) {
		t.Errorf("%d configs, %d pinned", len(configs), len(want))
	}
}
