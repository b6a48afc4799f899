// Command platform-sim runs a simulated Kubernetes cluster on loopback for the e2e loop: the
// real etcd, kube-apiserver (Pod Security admission on), kube-controller-manager and
// kube-scheduler, built by tools/real, with certificates it makes itself; one Node object per
// node the stack declares; and a node agent that plays the kubelets, a volume provisioner and
// the GitOps engines' status reports (agent.go).
//
// It writes <state>/kubeconfig once every component answers and the nodes exist, then runs
// until it receives SIGINT or SIGTERM, when it stops every process it started.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// freePort asks the kernel for an unused loopback port.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type procs struct{ cmds []*exec.Cmd }

func (p *procs) start(logDir, name, bin string, args ...string) {
	out, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	p.cmds = append(p.cmds, cmd)
	go func() {
		err := cmd.Wait()
		log.Printf("%s exited: %v (log: %s)", name, err, out.Name())
	}()
}

func (p *procs) stop() {
	for i := len(p.cmds) - 1; i >= 0; i-- {
		_ = p.cmds[i].Process.Signal(syscall.SIGTERM)
	}
	time.Sleep(2 * time.Second)
	for _, c := range p.cmds {
		_ = c.Process.Kill()
	}
}

func main() {
	etcdBin := flag.String("etcd", "", "etcd binary")
	kubeDir := flag.String("kube", "", "folder with kube-apiserver, kube-controller-manager, kube-scheduler")
	state := flag.String("state", "", "state folder (certificates, etcd data, logs, kubeconfig)")
	nodesFile := flag.String("nodes", "", "JSON list of nodes to create (see nodes.go)")
	manifests := flag.String("manifests", "", "optional folder of YAML applied before the nodes (CRDs, StorageClasses)")
	flag.Parse()
	if *etcdBin == "" || *kubeDir == "" || *state == "" || *nodesFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	logDir := filepath.Join(*state, "logs")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		log.Fatal(err)
	}
	pk, err := makePKI(filepath.Join(*state, "pki"))
	if err != nil {
		log.Fatalf("certificates: %v", err)
	}
	var nodes []nodeSpec
	raw, err := os.ReadFile(*nodesFile)
	if err == nil {
		err = json.Unmarshal(raw, &nodes)
	}
	if err != nil {
		log.Fatalf("nodes %s: %v", *nodesFile, err)
	}

	p := &procs{}
	stopping := make(chan os.Signal, 1)
	signal.Notify(stopping, syscall.SIGINT, syscall.SIGTERM)

	etcdPort, peerPort, apiPort := freePort(), freePort(), freePort()
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	// Flags: etcd v3.5 server/etcdmain/help.go. --unsafe-no-fsync: the data lives for one run.
	p.start(logDir, "etcd", *etcdBin,
		"--name=e2e", "--data-dir="+filepath.Join(*state, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=e2e="+peerURL, "--unsafe-no-fsync", "--log-level=warn")

	// Flags: k8s.io/kubernetes v1.33 cmd/kube-apiserver/app/options and
	// k8s.io/apiserver pkg/server/options. PodSecurity is in the default admission set since
	// 1.25; it is named here so that it stays on. TaintNodesByCondition is off because no
	// node-lifecycle controller runs to lift the not-ready taint it puts on every new Node
	// (the node agent reports the nodes Ready once instead of heartbeating).
	p.start(logDir, "kube-apiserver", filepath.Join(*kubeDir, "kube-apiserver"),
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(apiPort),
		"--tls-cert-file="+pk.serverCert, "--tls-private-key-file="+pk.serverKey,
		"--client-ca-file="+pk.caCert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pk.saPub, "--service-account-signing-key-file="+pk.saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		"--enable-admission-plugins=PodSecurity",
		"--disable-admission-plugins=TaintNodesByCondition",
		"--profiling=false",
		"--enable-priority-and-fairness=false",
		"--v=1")

	adminKubeconfig := filepath.Join(*state, "admin.kubeconfig")
	kc, err := pk.kubeconfig(apiPort)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(adminKubeconfig, []byte(kc), 0o600); err != nil {
		log.Fatal(err)
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", adminKubeconfig)
	if err != nil {
		log.Fatal(err)
	}
	restConfig.QPS, restConfig.Burst = 50, 100
	client := kubernetes.NewForConfigOrDie(restConfig)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := waitReady(ctx, client, 3*time.Minute); err != nil {
		p.stop()
		log.Fatalf("kube-apiserver did not become ready: %v (see %s)", err, logDir)
	}

	// Flags: cmd/kube-controller-manager/app/options. The node-lifecycle controller is off
	// (no kubelets heartbeat here); the service-account token controller signs with the key
	// the API server verifies.
	p.start(logDir, "kube-controller-manager", filepath.Join(*kubeDir, "kube-controller-manager"),
		"--kubeconfig="+adminKubeconfig,
		"--authentication-kubeconfig="+adminKubeconfig, "--authorization-kubeconfig="+adminKubeconfig,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(freePort()),
		"--leader-elect=false",
		"--controllers=*,-nodelifecycle,-cloud-node-lifecycle",
		"--service-account-private-key-file="+pk.saKey,
		"--root-ca-file="+pk.caCert,
		"--use-service-account-credentials=false",
		"--profiling=false", "--v=1")
	// Flags: cmd/kube-scheduler/app/options.
	p.start(logDir, "kube-scheduler", filepath.Join(*kubeDir, "kube-scheduler"),
		"--kubeconfig="+adminKubeconfig,
		"--authentication-kubeconfig="+adminKubeconfig, "--authorization-kubeconfig="+adminKubeconfig,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(freePort()),
		"--leader-elect=false", "--profiling=false", "--v=1")

	if *manifests != "" {
		if err := applyFolder(ctx, restConfig, *manifests); err != nil {
			p.stop()
			log.Fatalf("manifests: %v", err)
		}
	}
	if err := createNodes(ctx, client, nodes); err != nil {
		p.stop()
		log.Fatalf("nodes: %v", err)
	}
	report, err := os.Create(filepath.Join(*state, "report.jsonl"))
	if err != nil {
		log.Fatal(err)
	}
	go runAgent(ctx, restConfig, client, nodes, report)

	// The kubeconfig appears last: its presence means the cluster is ready.
	if err := os.WriteFile(filepath.Join(*state, "kubeconfig.tmp"), []byte(kc), 0o600); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(filepath.Join(*state, "kubeconfig.tmp"), filepath.Join(*state, "kubeconfig")); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("platform-sim: ready; kubeconfig %s\n", filepath.Join(*state, "kubeconfig"))
	<-stopping
	cancel()
	p.stop()
}

// waitReady polls /readyz until the API server answers ok.
func waitReady(ctx context.Context, client *kubernetes.Clientset, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			return nil
		}
		last = fmt.Errorf("%v %s", err, body)
		time.Sleep(500 * time.Millisecond)
	}
	return last
}
