package results

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDeadTempClaimRemoved: the temporary claim file of a process killed
// while claiming (its pid gone) is removed by the next process's first
// claim in that folder; a live process's is left alone.
func TestDeadTempClaimRemoved(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	runs := filepath.Join(dir, RunsTable)
	os.MkdirAll(runs, 0o755)
	dead := filepath.Join(runs, tempClaimName(claimInfo{PID: cmd.Process.Pid, Token: "00aa", Host: thisHost()}))
	live := filepath.Join(runs, tempClaimName(claimInfo{PID: os.Getppid(), Token: "00bb", Host: thisHost()}))
	for _, p := range []string{dead, live} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := TryClaim(dir, "r1")
	if err != nil || c == nil {
		t.Fatal(err)
	}
	c.Release()
	if _, err := os.Stat(dead); err == nil {
		t.Error("the dead process's temporary claim is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live process's temporary claim was removed")
	}
}
