// Command go-provider is the Go contender of the benchmark: the smallest provider a team would write
// on the Go stack (controller-runtime + sigs.k8s.io/multicluster-runtime + the kcp-dev/multicluster-provider
// apiexport provider). It reconciles the benchmark's Thing objects in every workspace bound to an
// APIExport, reading them from the provider's shared wildcard cache and writing
// status.observedGeneration, status.phase "Ready" and, optionally, one more status field copied from
// the spec, through the status subresource.
//
// Stdout carries one line per milestone, so the benchmark can time it without parsing logs:
//
//	started            the manager is about to start
//	engaged <id>       a workspace's APIBinding is Ready and the workspace was engaged
//	synced <n>         the Thing wildcard cache has synced (n objects in it at that point)
//
// Logs go to stderr.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/kcp-dev/multicluster-provider/apiexport"
	"github.com/kcp-dev/multicluster-provider/pkg/handlers"
	apisv1alpha1 "github.com/kcp-dev/sdk/apis/apis/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/manager/signals"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	mcbuilder "sigs.k8s.io/multicluster-runtime/pkg/builder"
	mcmanager "sigs.k8s.io/multicluster-runtime/pkg/manager"
	mcreconcile "sigs.k8s.io/multicluster-runtime/pkg/reconcile"
)

type options struct {
	kubeconfig     string
	export         string
	group          string
	version        string
	kind           string
	concurrency    int
	statusField    string
	metricsAddress string
	readyFile      string
	debugAddress   string
	qps            float64
	burst          int
	verbose        bool
}

func parseFlags() options {
	var o options
	// Our own flag set: controller-runtime registers its own --kubeconfig on the global one.
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the provider workspace (the one holding the APIExport)")
	fs.StringVar(&o.export, "export", "harness.example.io", "name of the APIExportEndpointSlice (the export's name)")
	fs.StringVar(&o.group, "group", "harness.example.io", "API group of the reconciled kind")
	fs.StringVar(&o.version, "version", "v1alpha1", "API version of the reconciled kind")
	fs.StringVar(&o.kind, "kind", "Thing", "reconciled kind")
	fs.IntVar(&o.concurrency, "concurrency", 10, "MaxConcurrentReconciles")
	fs.StringVar(&o.statusField, "status-field", "", `extra status field to write, as "<status field>=<dotted path in the object>", e.g. "seen=spec.counter"`)
	fs.StringVar(&o.metricsAddress, "metrics", "0", `controller-runtime metrics bind address ("0" disables, e.g. "127.0.0.1:8080")`)
	fs.StringVar(&o.readyFile, "ready-file", "", "write this file once the Thing cache has synced")
	fs.StringVar(&o.debugAddress, "debug-addr", "", "serve GET /cache and /memory for the benchmark on this address, e.g. 127.0.0.1:9090")
	fs.Float64Var(&o.qps, "qps", -1, "client-side QPS limit (-1: none, as controller-runtime defaults to)")
	fs.IntVar(&o.burst, "burst", 0, "client-side burst (with --qps > 0)")
	fs.BoolVar(&o.verbose, "v", false, "debug logs")
	_ = fs.Parse(os.Args[1:])
	if o.kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "--kubeconfig is required")
		os.Exit(2)
	}
	return o
}

// say writes a milestone line to stdout; lines are written whole so a reader never sees them mixed.
var stdoutMu sync.Mutex

func say(format string, args ...any) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

// extraField is the optional "status.<name> = <path>" copy.
type extraField struct {
	name string
	path []string
}

func parseExtraField(s string) (*extraField, error) {
	if s == "" {
		return nil, nil
	}
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return nil, fmt.Errorf(`--status-field must look like "seen=spec.counter", got %q`, s)
	}
	return &extraField{name: name, path: strings.Split(path, ".")}, nil
}

// thingReconciler writes the status of one Thing.
type thingReconciler struct {
	mgr        mcmanager.Manager
	gvk        schema.GroupVersionKind
	extra      *extraField
	reconciles atomic.Int64
	writes     atomic.Int64
	starts     startLog
}

// reconcileStart is when a reconcile began for one generation of an object (GET /reconciles):
// the benchmark splits each steady-state latency into "until the handler ran" and "after it".
type reconcileStart struct {
	Key        string  `json:"key"`
	Generation int64   `json:"generation"`
	AtMs       float64 `json:"atMs"`
}

// startLog keeps the last reconcile starts, bounded.
type startLog struct {
	mu   sync.Mutex
	ring []reconcileStart
	next int
}

const startLogSize = 20000

func (l *startLog) add(s reconcileStart) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < startLogSize {
		l.ring = append(l.ring, s)
		return
	}
	l.ring[l.next] = s
	l.next = (l.next + 1) % startLogSize
}

func (l *startLog) snapshot() []reconcileStart {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]reconcileStart(nil), l.ring...)
}

func (r *thingReconciler) Reconcile(ctx context.Context, req mcreconcile.Request) (ctrl.Result, error) {
	r.reconciles.Add(1)
	cl, err := r.mgr.GetCluster(ctx, req.ClusterName)
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("cluster %s: %w", req.ClusterName, err)
	}
	c := cl.GetClient()

	// Read from the shared wildcard cache (the client reads unstructured objects live unless told
	// otherwise; a typed provider reads from the cache, so this one does too).
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(r.gvk)
	if err := cl.GetCache().Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			log.FromContext(ctx).V(1).Info("not found (deleted)", "request", req.String())
			return ctrl.Result{}, nil // deleted: nothing to do
		}
		return ctrl.Result{}, err
	}
	r.starts.add(reconcileStart{
		Key:        req.ClusterName.String() + "/" + req.Namespace + "/" + req.Name,
		Generation: obj.GetGeneration(),
		AtMs:       float64(time.Now().UnixMicro()) / 1000,
	})

	desired := map[string]any{
		"observedGeneration": obj.GetGeneration(),
		"phase":              "Ready",
	}
	if r.extra != nil {
		if v, found, err := unstructured.NestedFieldCopy(obj.Object, r.extra.path...); err == nil && found {
			desired[r.extra.name] = v
		}
	}
	current, _, _ := unstructured.NestedMap(obj.Object, "status")
	if statusUpToDate(current, desired) {
		log.FromContext(ctx).V(1).Info("status up to date", "request", req.String(), "status", current, "desired", desired)
		return ctrl.Result{}, nil
	}

	// The cached object is shared: patch a copy.
	patched := obj.DeepCopy()
	for k, v := range desired {
		if err := unstructured.SetNestedField(patched.Object, v, "status", k); err != nil {
			return ctrl.Result{}, err
		}
	}
	if err := c.Status().Patch(ctx, patched, client.MergeFrom(obj)); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	r.writes.Add(1)
	return ctrl.Result{}, nil
}

// engagedPrinter prints "engaged <id>" once per workspace whose APIBinding the provider accepted
// (the provider calls OnAdd/OnUpdate only for bindings that pass its Ready filter).
type engagedPrinter struct {
	mu    sync.Mutex
	seen  map[string]bool
	count *atomic.Int64
}

func (e *engagedPrinter) OnAdd(obj client.Object) { e.engaged(obj) }

func (e *engagedPrinter) OnUpdate(_, obj client.Object) { e.engaged(obj) }

func (e *engagedPrinter) OnDelete(obj client.Object) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.seen, obj.GetAnnotations()["kcp.io/cluster"])
}

func (e *engagedPrinter) engaged(obj client.Object) {
	id := obj.GetAnnotations()["kcp.io/cluster"]
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	if e.seen[id] {
		return
	}
	e.seen[id] = true
	e.count.Add(1)
	say("engaged %s", id)
}

func statusUpToDate(current, desired map[string]any) bool {
	if current == nil {
		return false
	}
	for k, want := range desired {
		got, ok := current[k]
		if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			return false
		}
	}
	return true
}

func main() {
	o := parseFlags()
	log.SetLogger(zap.New(zap.UseDevMode(o.verbose), zap.WriteTo(os.Stderr)))
	logger := log.Log.WithName("go-provider")

	extra, err := parseExtraField(o.statusField)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "reading --kubeconfig %s: %v\n", o.kubeconfig, err)
		os.Exit(1)
	}
	cfg.QPS = float32(o.qps)
	cfg.Burst = o.burst
	cfg.UserAgent = "kcp-mesh-bench-go-provider"

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apisv1alpha1.AddToScheme(scheme))

	ctx := signals.SetupSignalHandler()

	providerLog := log.Log.WithName("kcp-apiexport-provider")
	if !o.verbose {
		providerLog = providerLog.V(1) // its per-object info lines become debug lines
	}
	var engaged atomic.Int64
	provider, err := apiexport.New(cfg, o.export, apiexport.Options{
		Scheme:   scheme,
		Log:      &providerLog,
		Handlers: handlers.Handlers{&engagedPrinter{count: &engaged}},
	})
	if err != nil {
		logger.Error(err, "constructing the apiexport provider")
		os.Exit(1)
	}

	mgr, err := mcmanager.New(cfg, provider, manager.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: o.metricsAddress},
	})
	if err != nil {
		logger.Error(err, "constructing the manager")
		os.Exit(1)
	}

	gvk := schema.GroupVersionKind{Group: o.group, Version: o.version, Kind: o.kind}
	watched := &unstructured.Unstructured{}
	watched.SetGroupVersionKind(gvk)
	rec := &thingReconciler{mgr: mgr, gvk: gvk, extra: extra}
	if err := mcbuilder.ControllerManagedBy(mgr).
		Named("bench-things").
		For(watched).
		WithOptions(controller.TypedOptions[mcreconcile.Request]{MaxConcurrentReconciles: o.concurrency}).
		Complete(rec); err != nil {
		logger.Error(err, "building the controller")
		os.Exit(1)
	}

	go reportSynced(ctx, provider, gvk, &engaged, o.readyFile)
	if o.verbose {
		go func() {
			for range time.Tick(5 * time.Second) {
				logger.Info("progress", "reconciles", rec.reconciles.Load(), "writes", rec.writes.Load())
			}
		}()
	}

	if o.debugAddress != "" {
		go serveDebug(ctx, o.debugAddress, provider, gvk, rec, logger)
	}

	say("started")
	if err := mgr.Start(ctx); err != nil {
		logger.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// reportSynced prints "synced <n>" (and writes the ready file) once at least one workspace is engaged
// and a list of the Things from the provider's aggregate wildcard cache succeeds, which blocks until
// the Thing informer has synced.
func reportSynced(ctx context.Context, provider *apiexport.Provider, gvk schema.GroupVersionKind, engaged *atomic.Int64, readyFile string) {
	listGVK := gvk
	listGVK.Kind += "List"
	for ctx.Err() == nil {
		if engaged.Load() > 0 {
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(listGVK)
			lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := provider.Lister().List(lctx, list)
			cancel()
			if err == nil {
				say("synced %d", len(list.Items))
				if readyFile != "" {
					_ = os.WriteFile(readyFile, []byte(time.Now().UTC().Format(time.RFC3339Nano)+"\n"), 0o644)
				}
				return
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cacheEntry is one object of the provider's cache as the benchmark compares it with a fresh list.
type cacheEntry struct {
	Cluster         string `json:"cluster"`
	Namespace       string `json:"namespace"`
	Name            string `json:"name"`
	ResourceVersion string `json:"resourceVersion"`
}

// serveDebug serves the benchmark's probes: GET /cache (the Thing cache's keys and resourceVersions,
// to compare with a fresh list after churn), GET /memory (Go heap in use, after a GC) and
// GET /reconciles (when recent reconciles started, per object and generation).
func serveDebug(ctx context.Context, addr string, provider *apiexport.Provider, gvk schema.GroupVersionKind, rec *thingReconciler, logger logr.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reconciles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"starts": rec.starts.snapshot()})
	})
	mux.HandleFunc("GET /cache", func(w http.ResponseWriter, r *http.Request) {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := provider.Lister().List(r.Context(), list); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		items := make([]cacheEntry, 0, len(list.Items))
		for _, o := range list.Items {
			items = append(items, cacheEntry{
				Cluster:         o.GetAnnotations()["kcp.io/cluster"],
				Namespace:       o.GetNamespace(),
				Name:            o.GetName(),
				ResourceVersion: o.GetResourceVersion(),
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
	})
	mux.HandleFunc("GET /memory", func(w http.ResponseWriter, r *http.Request) {
		var m goruntime.MemStats
		if r.URL.Query().Get("gc") != "false" {
			goruntime.GC()
		}
		goruntime.ReadMemStats(&m)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"heapBytes": m.HeapInuse, "heapAllocBytes": m.HeapAlloc, "sysBytes": m.Sys})
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		logger.Error(err, "debug server")
	}
}
