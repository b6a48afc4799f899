package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// nodeSpec is one node the stack declares, as the e2e harness derives it from the stack's
// config: a Talos pool's server type, a K3s host, a k3d node.
type nodeSpec struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Taints []struct {
		Key    string `json:"key"`
		Value  string `json:"value"`
		Effect string `json:"effect"`
	} `json:"taints"`
	// CPU and Memory are Kubernetes quantities ("2", "4Gi"): the node's allocatable.
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	Arch   string `json:"arch"`
	// Address is the node's InternalIP as the stack declares it (or a made-up one).
	Address string `json:"address"`
}

// createNodes registers each node as a kubelet would: the object with its labels and taints,
// then a status with capacity, allocatable, a Ready condition, addresses and node info.
func createNodes(ctx context.Context, client *kubernetes.Clientset, nodes []nodeSpec) error {
	for _, n := range nodes {
		labels := map[string]string{
			"kubernetes.io/hostname":  n.Name,
			"kubernetes.io/os":        "linux",
			"kubernetes.io/arch":      n.Arch,
			"beta.kubernetes.io/os":   "linux",
			"beta.kubernetes.io/arch": n.Arch,
		}
		for k, v := range n.Labels {
			labels[k] = v
		}
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels}}
		for _, t := range n.Taints {
			node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
		}
		created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		cpu, err := resource.ParseQuantity(n.CPU)
		if err != nil {
			return fmt.Errorf("node %s cpu %q: %w", n.Name, n.CPU, err)
		}
		mem, err := resource.ParseQuantity(n.Memory)
		if err != nil {
			return fmt.Errorf("node %s memory %q: %w", n.Name, n.Memory, err)
		}
		list := corev1.ResourceList{
			corev1.ResourceCPU:              cpu,
			corev1.ResourceMemory:           mem,
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		now := metav1.Now()
		created.Status = corev1.NodeStatus{
			Capacity:    list,
			Allocatable: list,
			Phase:       corev1.NodeRunning,
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "simulated by platform-sim", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", LastHeartbeatTime: now, LastTransitionTime: now},
			},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.Address}, {Type: corev1.NodeHostName, Address: n.Name}},
			NodeInfo: corev1.NodeSystemInfo{
				Architecture: n.Arch, OperatingSystem: "linux", KubeletVersion: "v1.33.5",
				ContainerRuntimeVersion: "platform-sim://0", OSImage: "platform-sim",
			},
		}
		if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("node %s status: %w", n.Name, err)
		}
	}
	return nil
}
