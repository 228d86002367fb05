{{/* Plain settings. Keys that are secrets never land here (see opsbot-lib.isSecret). */}}
{{- define "opsbot-lib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "opsbot-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "opsbot-lib.labels" . | nindent 4 }}
data:
  HEALTH_PORT: {{ .Values.healthPort | toString | quote }}
  {{- range $key, $value := include "opsbot-lib.plainEnv" . | fromYaml }}
  {{ $key }}: {{ include "opsbot-lib.envValue" $value | quote }}
  {{- end }}
{{- end -}}
