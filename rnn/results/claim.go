package results

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Claims let several processes (two sweeps started by hand, the tasks of a
// cluster job array) write into one results folder at once without running
// a run twice or deleting each other's files. Before a process trains run
// ID it creates DIR/runs/.claim-ID with O_CREATE|O_EXCL (so exactly one
// process gets it; the leading dot hides it from pyarrow and from Read),
// holding its host, process id and start time. While it trains, it touches
// the file every ClaimTTL/4; it removes the file when the run is written
// or has failed. A claim is stale, and may be taken over, when its owner
// ran on this host and is gone, or when the file was not touched for
// ClaimTTL (an owner on another host that died, or whose host did). Only
// the holder of a run's claim removes that run's leftovers (CleanRun).

// ClaimTTL is how long a claim lives without its owner touching it.
var ClaimTTL = 10 * time.Minute

const claimPrefix = ".claim-"

// claimInfo is the content of a claim file.
type claimInfo struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Token   string    `json:"token"` // unique per claim
}

func (c claimInfo) String() string {
	if c.Host == "" {
		return "another process"
	}
	return fmt.Sprintf("process %d on %s since %s", c.PID, c.Host, c.Started.Local().Format("15:04:05"))
}

var (
	hostOnce sync.Once
	hostName string
)

func thisHost() string {
	hostOnce.Do(func() {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "unknown-host"
		}
		hostName = h
	})
	return hostName
}

// heldTokens are the tokens of the claims this process holds, so that a
// claim of an earlier process with the same pid is not taken for ours.
var heldTokens sync.Map

// Claim is a held claim on one run; Release gives it up.
type Claim struct {
	path  string
	token string
	stop  chan struct{}
	done  chan struct{}
}

func claimPath(dir, runID string) string {
	return filepath.Join(dir, RunsTable, claimPrefix+runID)
}

// TryClaim claims run runID in dir for this process. It returns the claim,
// or nil and a description of the live holder when another process has it.
// A stale claim (see ClaimTTL) is taken over.
func TryClaim(dir, runID string) (*Claim, string, error) {
	if !validID(runID) {
		return nil, "", fmt.Errorf("results: run id %q: expected letters, digits, '-' or '_' only", clip(runID))
	}
	if err := os.MkdirAll(filepath.Join(dir, RunsTable), 0o755); err != nil {
		return nil, "", fmt.Errorf("results: %w", err)
	}
	if _, done := tempClaimsSwept.LoadOrStore(filepath.Clean(dir), true); !done {
		removeDeadTempClaims(filepath.Join(dir, RunsTable))
	}
	path := claimPath(dir, runID)
	for attempt := 0; attempt < 5; attempt++ {
		c, err := create(path)
		if err == nil {
			return c, "", nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("results: claiming run %s: %w", runID, err)
		}
		holder, gone, err := removeIfStale(path)
		if err != nil {
			return nil, "", fmt.Errorf("results: claiming run %s: %w", runID, err)
		}
		if !gone {
			return nil, holder, nil
		}
	}
	return nil, "other processes (the claim changed hands repeatedly)", nil
}

// create makes the claim file if it does not exist. The file is written
// under a temporary name and linked into place (a link, like O_EXCL, fails
// when the name exists), so a claim is never seen empty: a process killed
// while claiming leaves no claim whose owner cannot be read (it would block
// every other process until ClaimTTL).
func create(path string) (*Claim, error) {
	var tok [12]byte
	rand.Read(tok[:])
	info := claimInfo{Host: thisHost(), PID: os.Getpid(), Started: time.Now().UTC(), Token: hex.EncodeToString(tok[:])}
	tmp := filepath.Join(filepath.Dir(path), tempClaimName(info))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(info)
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp, path)
	}
	os.Remove(tmp)
	if err != nil {
		return nil, err
	}
	heldTokens.Store(info.Token, true)
	c := &Claim{path: path, token: info.Token, stop: make(chan struct{}), done: make(chan struct{})}
	go c.heartbeat()
	return c, nil
}

// A claim's temporary file is named after its writer (host and pid), so
// that one left by a process killed while claiming can be told from one
// being written: tmpPrefix + "claim-" + pid + "-" + token + "-" + host.
func tempClaimName(info claimInfo) string {
	return fmt.Sprintf("%sclaim-%d-%s-%s", tmpPrefix, info.PID, info.Token, info.Host)
}

// tempClaimsSwept holds the result folders whose dead temporary claims
// this process has removed (once per folder: a resumed sweep's first claim).
var tempClaimsSwept sync.Map

// removeDeadTempClaims removes the temporary claim files in folder whose
// writer was a process of this host that is gone, or that are older than
// ClaimTTL (another host's).
func removeDeadTempClaims(folder string) {
	entries, _ := os.ReadDir(folder)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), tmpPrefix+"claim-")
		if !ok {
			continue
		}
		f := strings.SplitN(rest, "-", 3)
		dead := false
		if len(f) == 3 && f[2] == thisHost() {
			pid, err := strconv.Atoi(f[0])
			dead = err == nil && pid != os.Getpid() && !processAlive(pid)
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > ClaimTTL {
			dead = true
		}
		if dead {
			os.Remove(filepath.Join(folder, e.Name()))
		}
	}
}

// heartbeat touches the claim file so that it does not turn stale.
func (c *Claim) heartbeat() {
	defer close(c.done)
	t := time.NewTicker(max(ClaimTTL/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			now := time.Now()
			os.Chtimes(c.path, now, now)
		}
	}
}

// Release gives the claim up: the file goes, unless another process took
// it over meanwhile (then the file is that process's).
func (c *Claim) Release() {
	if c == nil {
		return
	}
	close(c.stop)
	<-c.done
	heldTokens.Delete(c.token)
	if info, _, err := readClaim(c.path); err == nil && info.Token == c.token {
		os.Remove(c.path)
	}
}

// readClaim reads a claim file; a file still being written reads as an
// empty claimInfo.
func readClaim(path string) (claimInfo, fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return claimInfo{}, nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return claimInfo{}, nil, err
	}
	var info claimInfo
	if json.Unmarshal(bytes.TrimSpace(b), &info) != nil {
		info = claimInfo{}
	}
	return info, st, nil
}

// isStale reports whether a claim's owner is gone. A claim without its
// owner's record (left by a version that wrote it in place and was killed
// before the write) is stale once it is a few seconds old.
func isStale(info claimInfo, st fs.FileInfo) bool {
	if info.Token == "" && time.Since(st.ModTime()) > 5*time.Second {
		return true
	}
	if info.Host == thisHost() && info.PID > 0 {
		if info.PID == os.Getpid() {
			_, ours := heldTokens.Load(info.Token)
			return !ours // left by an earlier process with our pid
		}
		if !processAlive(info.PID) {
			return true
		}
	}
	return time.Since(st.ModTime()) > ClaimTTL
}

// removeIfStale removes the claim file at path when it is stale. It returns
// the holder of a live claim, or gone = true when the claim is no more (it
// was stale and is removed, or its owner released it).
func removeIfStale(path string) (holder string, gone bool, err error) {
	info, st, err := readClaim(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", true, nil
	}
	if err != nil {
		return "", false, err
	}
	if !isStale(info, st) {
		return info.String(), false, nil
	}
	// Move it aside under a unique name first: of two processes that both
	// found it stale, one moves it; the other then finds nothing, or a new
	// live claim, which it must not remove.
	var tok [8]byte
	rand.Read(tok[:])
	aside := path + ".stale-" + hex.EncodeToString(tok[:])
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", true, nil
		}
		return "", false, err
	}
	moved, mst, err := readClaim(aside)
	if err == nil && (moved.Token != info.Token || !mst.ModTime().Equal(st.ModTime())) {
		// Not the claim judged stale: a new one made meanwhile. Put it back
		// unless yet another exists.
		os.Link(aside, path)
		os.Remove(aside)
		return moved.String(), false, nil
	}
	os.Remove(aside)
	return "", true, nil
}

// ClearStaleClaim removes run runID's claim when it is stale (its owner
// died after finishing the run, for example).
func ClearStaleClaim(dir, runID string) error {
	if !validID(runID) {
		return nil
	}
	_, _, err := removeIfStale(claimPath(dir, runID))
	return err
}

// ClaimState says whether run runID has a claim in the results folder dir
// and whether its owner is alive, reading the claim without taking it (for
// a sweep's status): claimed = false without a claim; stale = its owner on
// this host is gone, or it was not refreshed for ClaimTTL.
func ClaimState(dir, runID string) (claimed, stale bool) {
	if !validID(runID) {
		return false, false
	}
	info, st, err := readClaim(claimPath(dir, runID))
	if err != nil {
		return false, false
	}
	return true, isStale(info, st)
}

// claimedByOther reports whether another live process holds run runID's
// claim.
func claimedByOther(dir, runID string) (bool, string) {
	info, st, err := readClaim(claimPath(dir, runID))
	if err != nil {
		return false, ""
	}
	if _, ours := heldTokens.Load(info.Token); ours {
		return false, ""
	}
	if isStale(info, st) {
		return false, ""
	}
	return true, info.String()
}
