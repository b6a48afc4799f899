// Command pulumi-resource-random is the e2e loop's stand-in for the Pulumi random provider,
// whose Go module (github.com/pulumi/pulumi-random/provider/v4) the module proxy does not
// serve here. It implements the one resource the program uses, random:index/randomPassword:
// RandomPassword, with the upstream provider's inputs, defaults and outputs (result and
// bcryptHash, both secret; every input forces a replacement), so the real engine can run the
// program end to end. It also answers, for `pulumi preview` only, the two other types the
// Talos stacks register, RandomId and RandomBytes: their inputs back with every computed
// output unknown; it refuses to create them (previewOnlyTypes). It is never used outside the
// e2e loop.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set at build time to the version @pulumi/random asks the engine for.
var version = "0.0.0"

const passwordType = "random:index/randomPassword:RandomPassword"

// previewOnlyTypes: answered in a preview only, each with its required input
// (@pulumi/random randomId.d.ts byteLength, randomBytes.d.ts length).
var previewOnlyTypes = map[string]string{
	"random:index/randomId:RandomId":       "byteLength",
	"random:index/randomBytes:RandomBytes": "length",
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
}

func main() {
	if err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{}, nil
	}); err != nil {
		panic(err)
	}
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"random","version":"` + version + `"}`}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// defaults of RandomPassword's inputs (pulumi-random sdk/nodejs/randomPassword.ts).
func withDefaults(in resource.PropertyMap) resource.PropertyMap {
	out := in.Copy()
	for k, v := range map[string]resource.PropertyValue{
		"lower": resource.NewProperty(true), "upper": resource.NewProperty(true),
		"numeric": resource.NewProperty(true), "number": resource.NewProperty(true),
		"special":  resource.NewProperty(true),
		"minLower": resource.NewProperty(0.0), "minUpper": resource.NewProperty(0.0),
		"minNumeric": resource.NewProperty(0.0), "minSpecial": resource.NewProperty(0.0),
	} {
		if _, ok := out[resource.PropertyKey(k)]; !ok {
			out[resource.PropertyKey(k)] = v
		}
	}
	return out
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	required, previewOnly := previewOnlyTypes[req.GetType()]
	if req.GetType() != passwordType && !previewOnly {
		return nil, fmt.Errorf("the random stand-in implements only %s (and, for a preview, RandomId and RandomBytes), not %s", passwordType, req.GetType())
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), opts)
	if err != nil {
		return nil, err
	}
	if previewOnly {
		if l, ok := news[resource.PropertyKey(required)]; !ok || !l.IsNumber() && !l.IsComputed() {
			return &pulumirpc.CheckResponse{Failures: []*pulumirpc.CheckFailure{{Property: required, Reason: required + " is required"}}}, nil
		}
		return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
	}
	if l, ok := news["length"]; !ok || !l.IsNumber() && !l.IsComputed() {
		return &pulumirpc.CheckResponse{Failures: []*pulumirpc.CheckFailure{{Property: "length", Reason: "length is required"}}}, nil
	}
	checked, err := plugin.MarshalProperties(withDefaults(news), opts)
	return &pulumirpc.CheckResponse{Inputs: checked}, err
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
	// Every input of RandomPassword forces a new value (upstream: RequiresReplace on all).
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: keys, Diffs: keys, DeleteBeforeReplace: false}, nil
}

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	// upstream's default special set (terraform-provider-random internal/random/string.go).
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

func pick(set string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		panic(err)
	}
	return set[n.Int64()]
}

func generate(in resource.PropertyMap) string {
	length := int(in["length"].NumberValue())
	flag := func(k string) bool { v, ok := in[resource.PropertyKey(k)]; return ok && v.IsBool() && v.BoolValue() }
	minOf := func(k string) int {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsNumber() {
			return int(v.NumberValue())
		}
		return 0
	}
	special := specialChars
	if v, ok := in["overrideSpecial"]; ok && v.IsString() {
		special = v.StringValue()
	}
	var all string
	var out []byte
	for _, c := range []struct {
		on  bool
		set string
		min int
	}{
		{flag("lower"), lowerChars, minOf("minLower")},
		{flag("upper"), upperChars, minOf("minUpper")},
		{flag("numeric"), numericChars, minOf("minNumeric")},
		{flag("special"), special, minOf("minSpecial")},
	} {
		if !c.on || c.set == "" {
			continue
		}
		all += c.set
		for i := 0; i < c.min; i++ {
			out = append(out, pick(c.set))
		}
	}
	for len(out) < length {
		out = append(out, pick(all))
	}
	out = out[:length]
	for i := len(out) - 1; i > 0; i-- {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out)
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if _, previewOnly := previewOnlyTypes[req.GetType()]; previewOnly {
		if !req.GetPreview() {
			return nil, fmt.Errorf("the random stand-in (tools/real/random-standin) answers %s in a preview only; it refuses to create %s", req.GetType(), req.GetUrn())
		}
		// The inputs back and no computed output: the Node SDK resolves an output the
		// provider did not return as unknown during a preview (@pulumi/pulumi runtime/rpc.js).
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	in, err := plugin.UnmarshalProperties(req.GetProperties(), opts)
	if err != nil {
		return nil, err
	}
	in = withDefaults(in)
	out := in.Copy()
	if req.GetPreview() {
		out["result"] = resource.MakeComputed(resource.NewProperty(""))
		out["bcryptHash"] = resource.MakeComputed(resource.NewProperty(""))
	} else {
		value := generate(in)
		hash, err := bcrypt.GenerateFromPassword([]byte(value), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		out["result"] = resource.MakeSecret(resource.NewProperty(value))
		out["bcryptHash"] = resource.MakeSecret(resource.NewProperty(string(hash)))
	}
	props, err := plugin.MarshalProperties(out, opts)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: "none", Properties: props}, nil
}

func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s *server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return &pulumirpc.UpdateResponse{Properties: req.GetOlds()}, nil
}

func (s *server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
