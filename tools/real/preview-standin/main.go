// Command preview-standin is the e2e loop's stand-in, for `pulumi preview` only, for the
// providers whose Go modules the module proxy does not serve here: hcloud, command and
// proxmoxve (tools/real/versions.json "unavailable"). One binary, registered under each name
// with `pulumi plugin install resource <name> <version> --file`; it knows which provider it
// plays from the name the engine starts it by (pulumi-resource-<name>).
//
// What it answers, and what that means:
//   - CheckConfig, DiffConfig, Configure: the provider's config is taken as given (no
//     upstream defaults, no validation of a Hetzner token or a Proxmox endpoint).
//   - Check: the inputs back, unchanged, for every resource type the program registers from
//     these providers (knownTypes); any other type is refused naming the stand-in, so a new
//     type in the program fails the preview until it is listed here.
//   - Create with preview=true: the inputs back, and no output property: the Node SDK resolves
//     an output the provider did not return as unknown during a preview
//     (@pulumi/pulumi runtime/rpc.js resolveProperties), as the real providers' computed
//     outputs (addresses, ids, stdout) are before anything exists.
//   - Create with preview=false, Update, Delete, Read: refused, naming the stand-in: it can
//     never pretend to create, change or read anything.
//   - Invoke: what a brand-new project sees (invokeAnswer), and command:local:run runs its
//     command as the real provider does.
//
// Nothing about Hetzner's, the hosts' or Proxmox's real answers is covered by a preview
// through this stand-in. It is never used outside the e2e loop.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// versions is set at build time: "hcloud=1.41.0,command=1.2.1,proxmoxve=8.6.0", the versions
// the program's SDKs ask the engine for (versions.json previewStandin.registerAs).
var versions = ""

// knownTypes: every resource type the three stacks register from each provider (the offline
// synth's out/<stack>/plan.json lists them; test/e2e/preview.e2e.ts compares).
var knownTypes = map[string][]string{
	"hcloud": {
		"hcloud:index/firewall:Firewall",
		"hcloud:index/loadBalancer:LoadBalancer",
		"hcloud:index/network:Network",
		"hcloud:index/networkSubnet:NetworkSubnet",
		"hcloud:index/placementGroup:PlacementGroup",
		"hcloud:index/primaryIp:PrimaryIp",
		"hcloud:index/server:Server",
		"hcloud:index/sshKey:SshKey",
	},
	"command":   {"command:local:Command", "command:remote:Command"},
	"proxmoxve": {"proxmoxve:index/vmLegacy:VmLegacy"},
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	name    string
	version string
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-resource-")
	version := ""
	for _, pair := range strings.Split(versions, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok && k == name {
			version = v
		}
	}
	if _, ok := knownTypes[name]; !ok || version == "" {
		fmt.Fprintf(os.Stderr, "preview-standin: started as %q, which is none of the providers it stands in for (%s); install it as pulumi-resource-hcloud, -command or -proxmoxve\n", filepath.Base(os.Args[0]), versions)
		os.Exit(1)
	}
	if err := provider.Main(name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{name: name, version: version}, nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

// refuse is the error of everything but a preview.
func (s *server) refuse(what string) error {
	return fmt.Errorf("the e2e preview stand-in for the %s provider (%s, tools/real/preview-standin) answers `pulumi preview` only; it refuses %s: build the real provider to deploy", s.name, s.version, what)
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"` + s.name + `","version":"` + s.version + `"}`}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	// SupportsPreview: the engine then calls Create with preview=true during a preview
	// (sdk/go/common/resource/plugin/provider_plugin.go, Create); without it, it would not
	// call Create at all and this stand-in would check nothing of the registrations.
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) known(typ string) error {
	for _, t := range knownTypes[s.name] {
		if t == typ {
			return nil
		}
	}
	return fmt.Errorf("the e2e preview stand-in for the %s provider does not know the resource type %s; it answers %s: add the type to knownTypes in tools/real/preview-standin/main.go", s.name, typ, strings.Join(knownTypes[s.name], ", "))
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := s.known(req.GetType()); err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := plugin.UnmarshalProperties(req.GetOldInputs(), opts)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), opts)
	if err != nil {
		return nil, err
	}
	diff := olds.Diff(news)
	if diff == nil || !diff.AnyChanges() {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var keys []string
	for _, k := range diff.ChangedKeys() {
		keys = append(keys, string(k))
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: keys}, nil
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if !req.GetPreview() {
		return nil, s.refuse("to create " + req.GetUrn())
	}
	if err := s.known(req.GetType()); err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
}

func (s *server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, s.refuse("to update " + req.GetUrn())
}

func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return nil, s.refuse("to read " + req.GetUrn() + " (a brand-new stack's preview reads nothing)")
}

func (s *server) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return nil, s.refuse("to delete " + req.GetUrn())
}

func (s *server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := plugin.UnmarshalProperties(req.GetArgs(), opts)
	if err != nil {
		return nil, err
	}
	out, err := s.invokeAnswer(req.GetTok(), args)
	if err != nil {
		return nil, err
	}
	ret, err := plugin.MarshalProperties(out, opts)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// invokeAnswer answers each function the program calls.
func (s *server) invokeAnswer(tok string, args resource.PropertyMap) (resource.PropertyMap, error) {
	out := args.Copy()
	switch {
	case s.name == "hcloud" && tok == "hcloud:index/getServers:getServers":
		// A brand-new Hetzner project: no server carries the cluster's labels yet.
		out["id"] = resource.NewProperty("preview-standin-servers")
		out["servers"] = resource.NewProperty([]resource.PropertyValue{})
		return out, nil
	case s.name == "hcloud" && tok == "hcloud:index/getImage:getImage":
		// A project where the Talos snapshot the README's first step builds exists: one image
		// matching the selector. Its id is ours (a brand-new project without that snapshot
		// would answer "no image found", and the stack could not be deployed there either).
		out["id"] = resource.NewProperty(1.0)
		out["name"] = resource.NewProperty("preview-standin-talos-snapshot")
		out["type"] = resource.NewProperty("snapshot")
		return out, nil
	case s.name == "command" && tok == "command:local:run":
		return runLocal(args)
	}
	return nil, fmt.Errorf("the e2e preview stand-in for the %s provider does not answer the function %s: add it to invokeAnswer in tools/real/preview-standin/main.go with what a brand-new project would see", s.name, tok)
}

// runLocal runs command:local:run's command the way the real provider does: through its
// interpreter (default ["/bin/sh", "-c"], @pulumi/command local/run.d.ts), in `dir`, with
// `environment` added to the provider's own, `stdin` on its standard input; it fails when the
// command exits non-zero, and returns the inputs with stdout and stderr (trailing newlines
// kept). The archive and asset options are not supported (the program uses none).
func runLocal(args resource.PropertyMap) (resource.PropertyMap, error) {
	for _, k := range []resource.PropertyKey{"archivePaths", "assetPaths"} {
		if v, ok := args[k]; ok && !v.IsNull() {
			return nil, fmt.Errorf("the e2e preview stand-in for command:local:run does not support %s", k)
		}
	}
	if !args["command"].IsString() {
		return nil, errors.New("command:local:run: command is required")
	}
	interpreter := []string{"/bin/sh", "-c"}
	if v, ok := args["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 {
		interpreter = nil
		for _, a := range v.ArrayValue() {
			interpreter = append(interpreter, a.StringValue())
		}
	}
	argv := append(append([]string{}, interpreter...), args["command"].StringValue())
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	if v, ok := args["environment"]; ok && v.IsObject() {
		keys := v.ObjectValue().StableKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			cmd.Env = append(cmd.Env, string(k)+"="+v.ObjectValue()[k].StringValue())
		}
	}
	if v, ok := args["dir"]; ok && v.IsString() {
		cmd.Dir = v.StringValue()
	}
	if v, ok := args["stdin"]; ok && v.IsString() {
		cmd.Stdin = strings.NewReader(v.StringValue())
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// The command's text is not repeated: only what it wrote to stderr tells why it failed.
		return nil, fmt.Errorf("command:local:run: the command failed (%v); its stderr: %s", err, strings.TrimSpace(stderr.String()))
	}
	out := args.Copy()
	out["stdout"] = resource.NewProperty(stdout.String())
	out["stderr"] = resource.NewProperty(stderr.String())
	return out, nil
}
