{{/* Names: <release>-wopi-gateway unless the release name already contains the chart name. */}}
{{- define "wopi-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wopi-gateway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "wopi-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "wopi-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (api, worker-<pool>, migrations): pass (list $ "api"). */}}
{{- define "wopi-gateway.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "wopi-gateway.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "wopi-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wopi-gateway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "wopi-gateway.secretName" -}}
{{- default (printf "%s-secrets" (include "wopi-gateway.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* An image reference: pass (list $ "api" | "worker" | "workerConverter"). */}}
{{- define "wopi-gateway.image" -}}
{{- $root := index . 0 -}}
{{- $image := index $root.Values.image (index . 1) -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/*
Environment of every gateway process (api, workers): README "Configuration" (the S3 and metrics
variables come with the s3 and telemetry parts of issue 13; deploy/README.md).
*/}}
{{- define "wopi-gateway.commonEnv" -}}
- name: NODE_ENV
  value: production
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: QUEUE_PREFIX
  value: {{ .Values.config.queuePrefix | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ .Values.config.shutdownGraceMs | quote }}
- name: TMPDIR
  value: /var/lib/wopi/tmp
{{- if .Values.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.telemetry.otlpEndpoint | quote }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "k8s.namespace.name=%s%s" .Release.Namespace (ternary (printf ",%s" .Values.telemetry.resourceAttributes) "" (ne .Values.telemetry.resourceAttributes "")) | quote }}
{{- if .Values.telemetry.prometheus.enabled }}
- name: METRICS_HOST
  value: 0.0.0.0
- name: METRICS_PORT
  value: {{ .Values.telemetry.prometheus.port | quote }}
{{- end }}
- name: BLOB_STAGING_DRIVER
  value: {{ .Values.staging.driver | quote }}
{{- if eq .Values.staging.driver "s3" }}
- name: S3_BUCKET
  value: {{ required "staging.s3.bucket is required when staging.driver is s3" .Values.staging.s3.bucket | quote }}
- name: S3_REGION
  value: {{ .Values.staging.s3.region | quote }}
{{- with .Values.staging.s3.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: S3_FORCE_PATH_STYLE
  value: {{ .Values.staging.s3.forcePathStyle | quote }}
- name: S3_PREFIX
  value: {{ .Values.staging.s3.prefix | quote }}
{{- else }}
- name: BLOB_STAGING_DIR
  value: /var/lib/wopi/staging
{{- end }}
{{- range $name, $value := .Values.config.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Volumes every gateway pod mounts: a writable temp folder, and the staging volume when on disk. */}}
{{- define "wopi-gateway.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if eq .Values.staging.driver "local" }}
- name: staging
  persistentVolumeClaim:
    claimName: {{ required "staging.local.existingClaim is required when staging.driver is local" .Values.staging.local.existingClaim }}
{{- end }}
{{- end -}}

{{- define "wopi-gateway.volumeMounts" -}}
- name: tmp
  mountPath: /var/lib/wopi/tmp
{{- if eq .Values.staging.driver "local" }}
- name: staging
  mountPath: /var/lib/wopi/staging
{{- end }}
{{- end -}}

{{/* Secret variables: pass (list $ true) for the api (it also signs access tokens). */}}
{{- define "wopi-gateway.secretEnv" -}}
{{- $root := index . 0 -}}
{{- $keys := list "DATABASE_URL" "REDIS_URL" "SECRETS_ENCRYPTION_KEY" -}}
{{- if index . 1 }}{{- $keys = append $keys "ACCESS_TOKEN_SIGNING_KEY" -}}{{- end -}}
{{- range $keys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "wopi-gateway.secretName" $root }}
      key: {{ . }}
{{- end }}
{{- if eq $root.Values.staging.driver "s3" }}
{{- range list "S3_ACCESS_KEY_ID" "S3_SECRET_ACCESS_KEY" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "wopi-gateway.secretName" $root }}
      key: {{ . }}
      # Absent with workload identity: the AWS SDK's default chain (the pod's role) applies.
      optional: true
{{- end }}
{{- end }}
{{- end -}}
