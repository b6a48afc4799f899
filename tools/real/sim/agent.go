package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// agent plays what a real cluster has besides its control plane: the kubelets of the
// declared nodes (a pod bound to one is reported Running and Ready, or Succeeded when a Job
// owns it; what kwok does), a volume provisioner for every StorageClass (a PersistentVolume
// per claim), and the GitOps engines' status reports (HelmRelease and Kustomization Ready,
// Application Healthy and Synced), so that Pulumi's await logic completes. It reports what a
// real cluster would refuse (Pod Security rejections, pods the scheduler cannot place) as JSON
// lines for the e2e harness. It also plays the load balancer and the ingress controller.
type agent struct {
	client *kubernetes.Clientset
	dyn    dynamic.Interface
	nodes  map[string]nodeSpec
	mu     sync.Mutex
	nextIP int
	out    *json.Encoder
}

func runAgent(ctx context.Context, cfg *rest.Config, client *kubernetes.Clientset, nodes []nodeSpec, report *os.File) {
	a := &agent{client: client, dyn: dynamic.NewForConfigOrDie(cfg), nodes: map[string]nodeSpec{}, out: json.NewEncoder(report)}
	for _, n := range nodes {
		a.nodes[n.Name] = n
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	pods := factory.Core().V1().Pods().Informer()
	_, _ = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o interface{}) { a.pod(ctx, o.(*corev1.Pod)) },
		UpdateFunc: func(_, o interface{}) { a.pod(ctx, o.(*corev1.Pod)) },
	})
	claims := factory.Core().V1().PersistentVolumeClaims().Informer()
	_, _ = claims.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o interface{}) { a.claim(ctx, o.(*corev1.PersistentVolumeClaim)) },
		UpdateFunc: func(_, o interface{}) { a.claim(ctx, o.(*corev1.PersistentVolumeClaim)) },
	})
	events := factory.Core().V1().Events().Informer()
	_, _ = events.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o interface{}) { a.event(o.(*corev1.Event)) },
		UpdateFunc: func(_, o interface{}) { a.event(o.(*corev1.Event)) },
	})
	factory.Start(ctx.Done())
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			a.engines(ctx)
			a.loadBalancers(ctx)
		}
	}
}

func (a *agent) write(v map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v["time"] = time.Now().UTC().Format(time.RFC3339)
	_ = a.out.Encode(v)
}

func (a *agent) event(e *corev1.Event) {
	obj := fmt.Sprintf("%s/%s/%s", e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name)
	switch {
	case e.Reason == "FailedCreate" && strings.Contains(e.Message, "violates PodSecurity"):
		a.write(map[string]string{"type": "pod-security", "object": obj, "message": e.Message})
	case e.Reason == "FailedCreate":
		a.write(map[string]string{"type": "failed-create", "object": obj, "message": e.Message})
	case e.Reason == "FailedScheduling":
		a.write(map[string]string{"type": "unschedulable", "object": obj, "message": e.Message})
	}
}

func (a *agent) podIP() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.nextIP++
	return fmt.Sprintf("10.244.%d.%d", a.nextIP/250, a.nextIP%250+1)
}

// pod reports a pod bound to a declared node as a kubelet would once its containers run.
func (a *agent) pod(ctx context.Context, p *corev1.Pod) {
	node, ok := a.nodes[p.Spec.NodeName]
	if ok && p.DeletionTimestamp != nil {
		// The kubelet confirms a graceful deletion once the containers stopped; here at once.
		zero := int64(0)
		err := a.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &p.UID}})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			log.Printf("agent: pod %s/%s delete: %v", p.Namespace, p.Name, err)
		}
		return
	}
	if !ok || p.Status.Phase != corev1.PodPending {
		return
	}
	now := metav1.Now()
	job := false
	for _, o := range p.OwnerReferences {
		if o.Kind == "Job" {
			job = true
		}
	}
	st := p.Status.DeepCopy()
	st.HostIP = node.Address
	st.HostIPs = []corev1.HostIP{{IP: node.Address}}
	if p.Spec.HostNetwork {
		st.PodIP = node.Address
	} else {
		st.PodIP = a.podIP()
	}
	st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	st.StartTime = &now
	st.InitContainerStatuses = nil
	for _, c := range p.Spec.InitContainers {
		st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image, ContainerID: "sim://" + c.Name, Ready: true,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}},
		})
	}
	st.ContainerStatuses = nil
	started := true
	for _, c := range p.Spec.Containers {
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, ContainerID: "sim://" + c.Name}
		if job {
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}}
		} else {
			cs.Ready, cs.Started = true, &started
			cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	ready := corev1.ConditionTrue
	if job {
		st.Phase = corev1.PodSucceeded
		ready = corev1.ConditionFalse
	} else {
		st.Phase = corev1.PodRunning
	}
	st.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: "PodReadyToStartContainers", Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.ContainersReady, Status: ready, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: ready, LastTransitionTime: now},
	}
	updated := p.DeepCopy()
	updated.Status = *st
	if _, err := a.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		log.Printf("agent: pod %s/%s: %v", p.Namespace, p.Name, err)
	}
}

// claim provisions a PersistentVolume for a pending claim of any StorageClass, once the
// scheduler has picked a node where the class waits for the first consumer.
func (a *agent) claim(ctx context.Context, c *corev1.PersistentVolumeClaim) {
	if c.Status.Phase != corev1.ClaimPending || c.Spec.VolumeName != "" || c.Spec.StorageClassName == nil || c.DeletionTimestamp != nil {
		return
	}
	sc, err := a.client.StorageV1().StorageClasses().Get(ctx, *c.Spec.StorageClassName, metav1.GetOptions{})
	if err != nil {
		return
	}
	if sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer && c.Annotations["volume.kubernetes.io/selected-node"] == "" {
		return
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	mode := corev1.PersistentVolumeFilesystem
	if c.Spec.VolumeMode != nil {
		mode = *c.Spec.VolumeMode
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pvc-" + string(c.UID), Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": sc.Provisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: c.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   c.Spec.AccessModes,
			StorageClassName:              sc.Name,
			PersistentVolumeReclaimPolicy: reclaim,
			VolumeMode:                    &mode,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: c.Namespace, Name: c.Name, UID: c.UID},
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/platform-sim/" + string(c.UID)}},
		},
	}
	if _, err := a.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		log.Printf("agent: volume for %s/%s: %v", c.Namespace, c.Name, err)
	}
}

// engineKinds are the objects whose status the GitOps engines would report, and that report.
var engineKinds = []struct {
	gvr    schema.GroupVersionResource
	status func(o *unstructured.Unstructured, now string) map[string]interface{}
}{
	{schema.GroupVersionResource{Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"}, fluxReady},
	{schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}, fluxReady},
	{schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}, fluxReady},
	{schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "helmrepositories"}, fluxReady},
	{schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "ocirepositories"}, fluxReady},
	{schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}, argoHealthy},
}

func fluxReady(o *unstructured.Unstructured, now string) map[string]interface{} {
	generation := o.GetGeneration()
	return map[string]interface{}{
		"observedGeneration": generation,
		"conditions": []interface{}{map[string]interface{}{
			"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
			"message":            "reported by platform-sim (the engine's reconciliation is simulated)",
			"observedGeneration": generation, "lastTransitionTime": now,
		}},
	}
}

// argoHealthy is the status Argo CD's application controller writes once an Application is
// synced and healthy. status.sync.revision is the revision the repo server resolved
// (controller/state.go CompareAppState: syncStatus.Revision = manifestInfo.Revision), which
// reposerver/repository/repository.go runRepoOperation makes the chart version for a Helm
// source (the targetRevision, resolved) and the commit SHA the targetRevision points at for a
// git source; status.sync.comparedTo is the source and destination it compared.
func argoHealthy(o *unstructured.Unstructured, now string) map[string]interface{} {
	source, _, _ := unstructured.NestedMap(o.Object, "spec", "source")
	destination, _, _ := unstructured.NestedMap(o.Object, "spec", "destination")
	return map[string]interface{}{
		"health": map[string]interface{}{"status": "Healthy"},
		"sync": map[string]interface{}{
			"status":     "Synced",
			"revision":   argoRevision(source),
			"comparedTo": map[string]interface{}{"source": source, "destination": destination},
		},
		"reconciledAt": now,
	}
}

// argoRevision is the revision Argo CD reports for a source: a Helm chart's version as
// given (the program pins exact versions, which resolve to themselves), or for git a
// stand-in commit SHA, derived from the repository, revision and path so that it changes
// when they do.
func argoRevision(source map[string]interface{}) string {
	target, _ := source["targetRevision"].(string)
	if chart, _ := source["chart"].(string); chart != "" {
		return target
	}
	sum := sha1.Sum([]byte(fmt.Sprintf("%v|%v|%v", source["repoURL"], target, source["path"])))
	return hex.EncodeToString(sum[:])
}

// argoCurrent tells whether an Application's status already describes its spec as the
// controller would report it.
func argoCurrent(o *unstructured.Unstructured) bool {
	health, _, _ := unstructured.NestedString(o.Object, "status", "health", "status")
	sync, _, _ := unstructured.NestedString(o.Object, "status", "sync", "status")
	revision, _, _ := unstructured.NestedString(o.Object, "status", "sync", "revision")
	compared, _, _ := unstructured.NestedMap(o.Object, "status", "sync", "comparedTo", "source")
	source, _, _ := unstructured.NestedMap(o.Object, "spec", "source")
	return health == "Healthy" && sync == "Synced" && revision == argoRevision(source) && reflect.DeepEqual(compared, source)
}

// engines marks every engine object whose status does not yet describe its generation.
func (a *agent) engines(ctx context.Context) {
	now := time.Now().UTC().Format(time.RFC3339)
	for _, k := range engineKinds {
		list, err := a.dyn.Resource(k.gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue // not installed on this cluster
		}
		for _, o := range list.Items {
			if o.GetDeletionTimestamp() != nil && len(o.GetFinalizers()) > 0 {
				// The engine's controller removes its finalizer once it has cleaned up.
				patch := []byte(`{"metadata":{"finalizers":null}}`)
				if _, err := a.dyn.Resource(k.gvr).Namespace(o.GetNamespace()).Patch(ctx, o.GetName(), types.MergePatchType, patch, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
					log.Printf("agent: %s %s/%s finalizers: %v", k.gvr.Resource, o.GetNamespace(), o.GetName(), err)
				}
				continue
			}
			if k.gvr.Resource == "applications" {
				// Its CRD has no status subresource, so any status write bumps the generation:
				// whether the status is current is read from the status itself.
				if argoCurrent(&o) {
					continue
				}
			} else if g, ok, _ := unstructured.NestedInt64(o.Object, "status", "observedGeneration"); ok && g == o.GetGeneration() {
				continue
			}
			ri := a.dyn.Resource(k.gvr).Namespace(o.GetNamespace())
			// A JSON patch "add" replaces the whole status (a merge patch would keep keys a
			// changed spec no longer has, e.g. in status.sync.comparedTo).
			patch, _ := json.Marshal([]map[string]interface{}{{"op": "add", "path": "/status", "value": k.status(&o, now)}})
			_, err := ri.Patch(ctx, o.GetName(), types.JSONPatchType, patch, metav1.PatchOptions{FieldManager: "platform-sim"}, "status")
			if apierrors.IsNotFound(err) {
				// A CRD without the status subresource (Argo CD's Application) takes status in the object.
				_, err = ri.Patch(ctx, o.GetName(), types.JSONPatchType, patch, metav1.PatchOptions{FieldManager: "platform-sim"})
			}
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				log.Printf("agent: %s %s/%s status: %v", k.gvr.Resource, o.GetNamespace(), o.GetName(), err)
			}
		}
	}
}

// loadBalancerIP is the address the simulated load balancer and ingress controller report
// (TEST-NET-2, never routed).
const loadBalancerIP = "198.51.100.10"

// loadBalancers plays the load balancer (MetalLB, Cilium LB IPAM, Hetzner's) and the ingress
// controller (Traefik): a Service of type LoadBalancer and an Ingress get an address in their
// status, as Pulumi's await logic for both expects.
func (a *agent) loadBalancers(ctx context.Context) {
	status := []byte(`{"status":{"loadBalancer":{"ingress":[{"ip":"` + loadBalancerIP + `"}]}}}`)
	services, err := a.client.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, s := range services.Items {
			if s.Spec.Type != corev1.ServiceTypeLoadBalancer || len(s.Status.LoadBalancer.Ingress) > 0 {
				continue
			}
			if _, err := a.client.CoreV1().Services(s.Namespace).Patch(ctx, s.Name, types.MergePatchType, status, metav1.PatchOptions{}, "status"); err != nil && !apierrors.IsNotFound(err) {
				log.Printf("agent: service %s/%s status: %v", s.Namespace, s.Name, err)
			}
		}
	}
	ingresses, err := a.client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, i := range ingresses.Items {
			if len(i.Status.LoadBalancer.Ingress) > 0 {
				continue
			}
			if _, err := a.client.NetworkingV1().Ingresses(i.Namespace).Patch(ctx, i.Name, types.MergePatchType, status, metav1.PatchOptions{}, "status"); err != nil && !apierrors.IsNotFound(err) {
				log.Printf("agent: ingress %s/%s status: %v", i.Namespace, i.Name, err)
			}
		}
	}
}
