{{/*
OpsBot library chart. Every service chart (ops-bot, pnl-ingest, risk-evaluator, notifier,
market-feed, parity-checker) is a thin application chart whose templates are one line each,
`{{ include "opsbot-lib.<kind>" . }}`; everything below is shared.
*/}}

{{/* Chart name, overridable. */}}
{{- define "opsbot-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name: "ops-bot" for `helm install ops-bot charts/ops-bot`, "opsbot-notifier" in the umbrella. */}}
{{- define "opsbot-lib.fullname" -}}
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

{{/* The image tag: the chart's image.tag, else global.image.tag, else the chart's appVersion. */}}
{{- define "opsbot-lib.imageTag" -}}
{{- $global := (.Values.global | default dict).image | default dict -}}
{{- .Values.image.tag | default $global.tag | default .Chart.AppVersion | toString -}}
{{- end -}}

{{- define "opsbot-lib.image" -}}
{{- $global := (.Values.global | default dict).image | default dict -}}
{{- $repository := .Values.image.repository -}}
{{- if $global.registry -}}{{- $repository = printf "%s/%s" (trimSuffix "/" $global.registry) $repository -}}{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "opsbot-lib.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "opsbot-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "opsbot-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "opsbot-lib.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "opsbot-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "opsbot-lib.imageTag" . | replace "+" "_" | replace ":" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: {{ index (.Chart.Annotations | default dict) "opsbot.io/component" | default .Chart.Name }}
app.kubernetes.io/part-of: opsbot
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
Which settings are secrets. A key is routed into the Secret (never the ConfigMap) when it is one of
the names below or ends in one of the suffixes below, wherever it is given (global.env, env or
secretEnv). REDIS_URL is always treated as a secret because it may carry a password; so is every
URL setting (METRICS_URL, EXCHANGE_WS_URL, SLACK_API_URL, any *_URL) and VAULT_ADDR, since a URL can
carry user:password@ or a token in its query.
*/}}
{{- define "opsbot-lib.secretNames" -}}
SLACK_BOT_TOKEN SLACK_APP_TOKEN SLACK_SIGNING_SECRET TEAMS_WEBHOOK_URL VAULT_TOKEN VAULT_ADDR RABBITMQ_URL REDIS_URL METRICS_URL EXCHANGE_WS_URL
{{- end -}}

{{- define "opsbot-lib.isSecret" -}}
{{- $key := . -}}
{{- if or (has $key (splitList " " (include "opsbot-lib.secretNames" .))) (regexMatch "(_TOKEN|_SECRET|_PASSWORD|_API_KEY|_URL|_ADDR|_CREDENTIALS)$" $key) -}}true{{- end -}}
{{- end -}}

{{/* All settings of this service: global.env, then env (env wins). */}}
{{- define "opsbot-lib.allEnv" -}}
{{- $global := (.Values.global | default dict).env | default dict -}}
{{- $all := merge (deepCopy (.Values.env | default dict)) (deepCopy $global) -}}
{{- if hasKey $all "HEALTH_PORT" -}}
{{- fail "HEALTH_PORT is set by the chart from healthPort: set healthPort instead of env.HEALTH_PORT" -}}
{{- end -}}
{{- toYaml $all -}}
{{- end -}}

{{/* Plain settings (ConfigMap), as YAML. */}}
{{- define "opsbot-lib.plainEnv" -}}
{{- $all := include "opsbot-lib.allEnv" . | fromYaml -}}
{{- $plain := dict -}}
{{- range $key, $value := $all -}}
{{- if not (include "opsbot-lib.isSecret" $key) -}}{{- $_ := set $plain $key $value -}}{{- end -}}
{{- end -}}
{{- toYaml $plain -}}
{{- end -}}

{{/* Secret settings (Secret), as YAML: secret keys of global.env and env, and all of secretEnv. */}}
{{- define "opsbot-lib.secretEnv" -}}
{{- $all := include "opsbot-lib.allEnv" . | fromYaml -}}
{{- $secret := dict -}}
{{- range $key, $value := $all -}}
{{- if include "opsbot-lib.isSecret" $key -}}{{- $_ := set $secret $key $value -}}{{- end -}}
{{- end -}}
{{- range $key, $value := .Values.secretEnv | default dict -}}
{{- $_ := set $secret $key $value -}}
{{- end -}}
{{- toYaml $secret -}}
{{- end -}}

{{/* "true" when this chart renders its own Secret: it has secret values and no existingSecret. */}}
{{- define "opsbot-lib.rendersSecret" -}}
{{- $secret := include "opsbot-lib.secretEnv" . | fromYaml -}}
{{- if and $secret .Values.existingSecret -}}
{{- fail (printf "existingSecret %q is set, so the chart renders no Secret: put %s into that Secret instead of values" .Values.existingSecret (keys $secret | sortAlpha | join ", ")) -}}
{{- end -}}
{{- if $secret -}}true{{- end -}}
{{- end -}}

{{- define "opsbot-lib.globalExistingSecret" -}}
{{- (.Values.global | default dict).existingSecret | default "" -}}
{{- end -}}

{{/*
A setting's value as a string. Values files give numbers as float64 (1000000 would print as
1e+06); whole numbers print as integers, booleans as true/false.
*/}}
{{- define "opsbot-lib.envValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq (floor .) . -}}{{- int64 . -}}{{- else -}}{{- . -}}{{- end -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}

{{/* NOTES.txt of every service chart. */}}
{{- define "opsbot-lib.notes" -}}
{{- $fullname := include "opsbot-lib.fullname" . -}}
{{ .Chart.Name }} {{ include "opsbot-lib.imageTag" . }} is installed as {{ $fullname }} in namespace {{ .Release.Namespace }}.

  kubectl -n {{ .Release.Namespace }} rollout status deployment/{{ $fullname }}
  kubectl -n {{ .Release.Namespace }} port-forward service/{{ $fullname }} {{ .Values.service.port }}:{{ .Values.service.port }}
  curl -s http://127.0.0.1:{{ .Values.service.port }}/healthz ; curl -s http://127.0.0.1:{{ .Values.service.port }}/readyz

Settings: ConfigMap {{ $fullname }}; secrets:
{{- if include "opsbot-lib.globalExistingSecret" . }} Secret {{ include "opsbot-lib.globalExistingSecret" . }} (global.existingSecret){{ end }}
{{- if include "opsbot-lib.rendersSecret" . }} Secret {{ $fullname }} (from values){{ end }}
{{- with .Values.existingSecret }} Secret {{ . }} (existingSecret; restart the deployment after changing it){{ end }}
{{- if not (or (include "opsbot-lib.globalExistingSecret" .) (include "opsbot-lib.rendersSecret" .) .Values.existingSecret) }} none given{{ end }}.
Runbooks: docs/operations.md.
{{- if eq (index (.Chart.Annotations | default dict) "opsbot.io/partitioned" | default "false") "true" }}
{{- $partitions := int (index (merge (dict) (.Values.env | default dict) ((.Values.global | default dict).env | default dict)) "RISK_PARTITIONS" | default 8) }}
{{- $replicas := int (ternary .Values.autoscaling.maxReplicas .Values.replicaCount .Values.autoscaling.enabled) }}

Partitions: {{ $partitions }} per message type, shared by up to {{ $replicas }} replica(s); the broker gives each to one replica at a time.
{{- if gt $replicas $partitions }}
WARNING: more replicas ({{ $replicas }}) than RISK_PARTITIONS ({{ $partitions }}): the extra replicas only stand by.
{{- end }}
{{- end }}
{{- end -}}
