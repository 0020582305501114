package devdb

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// copyTree copies the directory src to dst (which must not exist), keeping
// permissions, and gives everything to cred's user when cred is not nil.
// Files are copied by a few workers: on tmpfs the copy is bound by page
// allocation, which runs in parallel.
func copyTree(src, dst string, cred *syscall.Credential) error {
	type job struct {
		from, to string
		mode     fs.FileMode
	}
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	setErr := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := copyFile(j.from, j.to, j.mode, cred); err != nil {
					setErr(err)
				}
			}
		}()
	}
	walkErr := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(to, info.Mode().Perm()); err != nil {
				return err
			}
			return chown(to, cred)
		case info.Mode().IsRegular():
			jobs <- job{p, to, info.Mode().Perm()}
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, to); err != nil {
				return err
			}
			if cred != nil {
				return os.Lchown(to, int(cred.Uid), int(cred.Gid))
			}
		}
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return walkErr
	}
	return firstErr
}

func copyFile(from, to string, mode fs.FileMode, cred *syscall.Credential) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return chown(to, cred)
}

func chown(p string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return os.Chown(p, int(cred.Uid), int(cred.Gid))
}
