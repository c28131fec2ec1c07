package tencent

import (
	"cmp"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// profileCredential reads the tccli profile with the SDK's TccliProfileProvider and, when the
// profile was not named and has no file, the SDK's ProfileProvider (~/.tencentcloud/credentials
// or TENCENTCLOUD_CREDENTIALS_FILE). No file at all is nil, "", nil.
func profileCredential(name string, explicit bool) (common.CredentialIface, string, error) {
	display := "~/.tccli/" + name + ".credential"
	cred, err := common.NewTccliProfileProvider(name).GetCredential()
	switch {
	case err == nil:
		return cred, SourceProfile, nil
	case !isNoFile(err):
		return nil, "", &ProfileError{File: display, Reason: profileReason(err, "secretId and secretKey")}
	case explicit:
		return nil, "", nil
	}
	cred, err = common.DefaultProfileProvider().GetCredential()
	switch {
	case err == nil:
		return cred, SourceCredentialsFile, nil
	case isNoFile(err):
		return nil, "", nil
	default:
		return nil, "", &ProfileError{File: SourceCredentialsFile, Reason: profileReason(err, "secret_id and secret_key in its [default] section")}
	}
}

// isNoFile reports the SDK's "no such profile file" error, which its provider chain skips.
func isNoFile(err error) bool {
	var sdkErr *tcerr.TencentCloudSDKError
	return errors.As(err, &sdkErr) && sdkErr.Message == "could not find config file"
}

// profileReason turns the SDK's error about a profile file into a reason that quotes neither
// the file (it holds secrets) nor its path.
func profileReason(err error, keys string) string {
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) && strings.HasPrefix(sdkErr.Message, "Failed to parse") {
		return "does not hold " + keys
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return "cannot be read: " + pathErr.Err.Error()
	}
	return "cannot be read or is not valid"
}

// sdkMessage is the message of an SDK error without its decoration, or the error's text.
func sdkMessage(err error) string {
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) {
		if sdkErr.Code != "" && !strings.HasPrefix(sdkErr.Code, "ClientError") {
			return sdkErr.Code + ": " + sdkErr.Message
		}
		return sdkErr.Message
	}
	return err.Error()
}

// resolveRegion is the argument, the environment, the tccli profile's region, the default.
// The SDK reads no region, so the profile's .configure file is read here for that one value.
func resolveRegion(arg, env, profileName string) (string, error) {
	if v := firstNonEmpty(arg, env); v != "" {
		return v, nil
	}
	region, err := profileRegion(profileName)
	if err != nil {
		return "", err
	}
	return cmp.Or(region, DefaultRegion), nil
}

// profileRegion reads _sys_param.region of <home>/.tccli/<profile>.configure; a missing file
// is "". The home directory is the SDK's: HOME, or USERPROFILE on Windows.
func profileRegion(name string) (string, error) {
	home := os.Getenv("HOME")
	if runtime.GOOS == "windows" {
		home = os.Getenv("USERPROFILE")
	}
	if home == "" {
		return "", nil
	}
	data, err := os.ReadFile(filepath.Join(home, ".tccli", name+".configure"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	display := "~/.tccli/" + name + ".configure"
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return "", &ProfileError{File: display, Reason: "cannot be read: " + err.Error()}
	}
	var conf struct {
		SysParam struct {
			Region string `json:"region"`
		} `json:"_sys_param"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		return "", &ProfileError{File: display, Reason: "is not valid JSON"}
	}
	return strings.TrimSpace(conf.SysParam.Region), nil
}
