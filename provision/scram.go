package provision

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// scramIterations is PostgreSQL's default scram_iterations.
const scramIterations = 4096

// scramVerifier returns the SCRAM-SHA-256 verifier PostgreSQL stores for
// password, computed here so that the password itself never travels to
// the server (where log_statement could record it). ok is false when the
// password is not plain ASCII: PostgreSQL normalises such passwords with
// SASLprep first, which this function does not implement.
func scramVerifier(password string) (verifier string, ok bool) {
	if !isASCII(password) {
		return "", false
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	stored, server := scramKeys(password, salt, scramIterations)
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(stored), b64(server)), true
}

// scramKeys derives StoredKey and ServerKey (RFC 5802).
func scramKeys(password string, salt []byte, iter int) (stored, server []byte) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		panic(err) // only for FIPS-disallowed parameters, which these are not
	}
	clientKey := hmacSHA256(salted, "Client Key")
	sum := sha256.Sum256(clientKey)
	return sum[:], hmacSHA256(salted, "Server Key")
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// matchesStored reports whether password is the one behind a verifier
// PostgreSQL stored for role (pg_authid.rolpassword): SCRAM-SHA-256 or
// the older md5 form. known is false for a form this function cannot check.
func matchesStored(stored, role, password string) (match, known bool) {
	switch {
	case strings.HasPrefix(stored, "SCRAM-SHA-256$"):
		// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
		parts := strings.Split(strings.TrimPrefix(stored, "SCRAM-SHA-256$"), "$")
		if len(parts) != 2 || !isASCII(password) {
			return false, false
		}
		iterStr, saltB64, ok1 := strings.Cut(parts[0], ":")
		storedB64, serverB64, ok2 := strings.Cut(parts[1], ":")
		iter, err := strconv.Atoi(iterStr)
		if !ok1 || !ok2 || err != nil || iter <= 0 {
			return false, false
		}
		salt, err1 := base64.StdEncoding.DecodeString(saltB64)
		wantStored, err2 := base64.StdEncoding.DecodeString(storedB64)
		wantServer, err3 := base64.StdEncoding.DecodeString(serverB64)
		if err1 != nil || err2 != nil || err3 != nil {
			return false, false
		}
		gotStored, gotServer := scramKeys(password, salt, iter)
		return subtle.ConstantTimeCompare(gotStored, wantStored) == 1 && subtle.ConstantTimeCompare(gotServer, wantServer) == 1, true
	case strings.HasPrefix(stored, "md5") && len(stored) == 35:
		sum := md5.Sum([]byte(password + role))
		return subtle.ConstantTimeCompare([]byte("md5"+hex.EncodeToString(sum[:])), []byte(stored)) == 1, true
	default:
		return false, false
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
