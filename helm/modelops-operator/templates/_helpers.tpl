{{/* The release's full name: the release name alone when it already names the chart. */}}
{{- define "modelops.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "modelops.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "modelops.labels" -}}
{{ include "modelops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "modelops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "modelops.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator needs on the resources it reconciles, in the watched namespaces. Must stay
identical to deploy/core/cluster-role.yaml (HelmChartE2EIT compares them; LeastPrivilegeTest
ties that file to the code paths).
*/}}
{{- define "modelops.rules" -}}
- apiGroups: ["modelops.dev"]
  resources: ["modeldeployments", "retrainpolicies"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["modelops.dev"]
  resources: ["modeldeployments/status", "retrainpolicies/status"]
  verbs: ["get", "patch"]
- apiGroups: ["modelops.dev"]
  resources: ["modeldeployments/finalizers", "retrainpolicies/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets", "configmaps", "serviceaccounts"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}

{{/* metricEndpoints as the operator reads them: NAME=URL,NAME=URL (sorted by name). */}}
{{- define "modelops.metricEndpoints" -}}
{{- $pairs := list -}}
{{- range $name, $url := .Values.metricEndpoints -}}
{{- $pairs = append $pairs (printf "%s=%s" $name $url) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* modelRegistries as the operator reads them: NAME=URL,NAME=URL (sorted by name). */}}
{{- define "modelops.modelRegistries" -}}
{{- $pairs := list -}}
{{- range $name, $registry := .Values.modelRegistries -}}
{{- $pairs = append $pairs (printf "%s=%s" $name $registry.url) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* The UI addresses of the registries that have one: NAME=URL,... (empty when none has). */}}
{{- define "modelops.modelRegistryLinks" -}}
{{- $pairs := list -}}
{{- range $name, $registry := .Values.modelRegistries -}}
{{- if $registry.uiUrl -}}
{{- $pairs = append $pairs (printf "%s=%s" $name $registry.uiUrl) -}}
{{- end -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}
