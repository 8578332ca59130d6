import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

/**
 * deploy/k8s: the example overlay builds with `kubectl kustomize`, every object is valid against
 * the Kubernetes schemas (offline, kubernetes-models), the Deployment has what the README's
 * "Deploying on Kubernetes" promises, and every variable the manifests set is one the service reads.
 */
const ROOT = join(__dirname, '..', '..');
const OVERLAY = join(ROOT, 'deploy', 'k8s', 'overlays', 'example');

type Obj = Record<string, any>;

const MODELS: Record<string, { validate(): void } & (new (o: Obj) => { validate(): void })> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
} as never;

function build(): Obj[] {
  // No kubectl is a failure, not a skip: CI has it.
  const out = execFileSync('kubectl', ['kustomize', OVERLAY], { encoding: 'utf8' });
  const objects = parseAllDocuments(out).map((d) => d.toJSON() as Obj);
  // kustomize wraps long base64 values over lines, which the API server's decoder skips.
  for (const o of objects) {
    if (o.kind !== 'Secret') continue;
    for (const k of Object.keys(o.data ?? {})) o.data[k] = String(o.data[k]).replace(/\s+/g, '');
  }
  return objects;
}

function sourceFiles(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f) && !/\.spec\.ts$/.test(f))
    .map((f) => join(dir, f));
}

/** Every environment variable the service (src/) and its scripts read, from their source. */
function knownVariables(): Set<string> {
  const known = new Set<string>();
  const files = [
    ...sourceFiles(join(ROOT, 'src'), /\.ts$/),
    ...sourceFiles(join(ROOT, 'scripts'), /\.m?js$/),
  ];
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    // app-config's helpers: str(env, 'NAME', …), int(env, 'NAME', …), opt(env, 'NAME') …
    for (const m of src.matchAll(/\w+\(\s*env,\s*'([A-Z][A-Z0-9_]*)'/g)) known.add(m[1]);
    // process.env.NAME, env.NAME, env['NAME']
    for (const m of src.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) known.add(m[1]);
    for (const m of src.matchAll(/\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g)) known.add(m[1]);
    // Per-type names built from a list: `${t.toUpperCase()}_CHALLENGE_VALIDITY_TIME`.
    const types = /TOKEN_TYPES_WITH_VALIDITY\s*=\s*\[([^\]]*)\]/.exec(src);
    const templated = /`\$\{t\.toUpperCase\(\)\}(_[A-Z0-9_]+)`/g;
    if (types) {
      for (const suffix of src.matchAll(templated)) {
        for (const t of types[1].matchAll(/'(\w+)'/g)) known.add(t[1].toUpperCase() + suffix[1]);
      }
    }
  }
  return known;
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  const objects = build();
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const one = (kind: string): Obj => {
    const found = byKind(kind);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('the example overlay builds and every object is valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      if (!Model) throw new Error(`no schema checked for ${o.apiVersion} ${o.kind}`);
      expect(() => new Model(o).validate()).not.toThrow();
    }
    for (const kind of [
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ConfigMap',
    ]) {
      expect(byKind(kind)).toHaveLength(1);
    }
  });

  it('a schema violation is caught (the check is live)', () => {
    const bad = structuredClone(one('Deployment'));
    bad.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => new Deployment(bad).validate()).toThrow(/containerPort/);
  });

  it('the Deployment: non-root, read-only root, /tmp, probes, shutdown timing, migrations first', () => {
    const dep = one('Deployment');
    const pod = dep.spec.template.spec;
    const labels = dep.spec.template.metadata.labels as Record<string, string>;
    expect(dep.spec.selector.matchLabels).toEqual(labels);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
    for (const c of pod.topologySpreadConstraints) {
      expect(c.labelSelector.matchLabels).toEqual(labels);
    }

    const [main] = pod.containers as Obj[];
    expect(pod.containers).toHaveLength(1);
    expect(main.command).toEqual(['node', 'dist/src/main.js']);
    expect(main.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(main.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(main.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(main.startupProbe.httpGet.port).toBe('http');
    expect(main.lifecycle.preStop.exec.command[0]).toBe('sleep');
    expect(main.resources.requests).toBeDefined();
    expect(main.resources.limits.memory).toBeDefined();

    const [migrate] = pod.initContainers as Obj[];
    expect(migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    expect(migrate.image).toBe(main.image);

    for (const c of [main, migrate]) {
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      const tmp = (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
      expect(pod.volumes.find((v: Obj) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    }

    // Every ConfigMap, Secret and file the pod refers to is built, and *_FILE paths are mounted.
    const names = (kind: string) => byKind(kind).map((o) => o.metadata.name as string);
    const env = environment(main);
    expect(env.DB_MIGRATIONS_RUN).toBe('false');
    const sleep = Number(main.lifecycle.preStop.exec.command[1]);
    if (env.SHUTDOWN_TIMEOUT !== undefined) {
      expect(sleep + Number(env.SHUTDOWN_TIMEOUT)).toBeLessThanOrEqual(30);
    }
    for (const c of [main, migrate]) {
      for (const from of c.envFrom as Obj[]) {
        if (from.configMapRef) expect(names('ConfigMap')).toContain(from.configMapRef.name);
        if (from.secretRef) expect(names('Secret')).toContain(from.secretRef.name);
      }
    }
    for (const v of pod.volumes as Obj[]) {
      if (v.secret) expect(names('Secret')).toContain(v.secret.secretName);
    }
    for (const [key, value] of Object.entries(env)) {
      if (!key.endsWith('_FILE')) continue;
      const mount = (main.volumeMounts as Obj[]).find((m) => value.startsWith(m.mountPath + '/'));
      if (!mount) throw new Error(`${key}=${value} is not under a volume mount`);
      const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name);
      const secret = byKind('Secret').find((s) => s.metadata.name === volume?.secret?.secretName);
      expect(Object.keys(secret?.data ?? {})).toContain(value.slice(mount.mountPath.length + 1));
    }

    function environment(c: Obj): Record<string, string> {
      const out: Record<string, string> = {};
      for (const from of (c.envFrom ?? []) as Obj[]) {
        const ref = from.configMapRef ?? from.secretRef;
        const src = objects.find(
          (o) =>
            o.kind === (from.configMapRef ? 'ConfigMap' : 'Secret') && o.metadata.name === ref.name,
        );
        for (const [k, v] of Object.entries((src?.data ?? {}) as Record<string, string>)) {
          out[k] = from.configMapRef ? v : Buffer.from(v, 'base64').toString('utf8');
        }
      }
      for (const e of (c.env ?? []) as Obj[]) out[e.name] = e.value ?? '';
      return out;
    }
  });

  it('Service, HPA, PDB and NetworkPolicy select the Deployment and its HTTP port', () => {
    const dep = one('Deployment');
    const labels = dep.spec.template.metadata.labels as Record<string, string>;
    expect(one('Service').spec.selector).toEqual(labels);
    expect(one('Service').spec.ports[0].targetPort).toBe('http');
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: dep.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(dep.spec.replicas).toBeUndefined();
    expect(one('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    const np = one('NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    const egressPorts = (np.spec.egress as Obj[]).flatMap((r) =>
      (r.ports as Obj[]).map((p) => `${p.protocol}/${p.port}`),
    );
    expect(egressPorts.sort()).toEqual(['TCP/3306', 'TCP/443', 'TCP/53', 'UDP/53']);
  });

  it('every variable the manifests set is one the service reads', () => {
    const known = knownVariables();
    // The derivation itself works: a few from each way of reading.
    for (const name of ['DB_URL', 'ENCRYPTION_KEY_FILE', 'HOTP_CHALLENGE_VALIDITY_TIME', 'PORT']) {
      expect(known).toContain(name);
    }
    const set = new Set<string>();
    for (const dep of byKind('Deployment')) {
      const pod = dep.spec.template.spec;
      for (const c of [...(pod.initContainers ?? []), ...pod.containers] as Obj[]) {
        for (const e of (c.env ?? []) as Obj[]) set.add(e.name as string);
        for (const from of (c.envFrom ?? []) as Obj[]) {
          const ref = from.configMapRef ?? from.secretRef;
          const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
          const src = objects.find((o) => o.kind === kind && o.metadata.name === ref.name);
          for (const k of Object.keys({ ...src?.data, ...src?.stringData })) set.add(k);
        }
      }
    }
    expect(set.size).toBeGreaterThan(5);
    expect([...set].filter((name) => !known.has(name))).toEqual([]);
  });
});
