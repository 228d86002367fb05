{{/*
Secret settings: the secret keys given under global.env or env, and everything under secretEnv.
Not rendered when existingSecret names a Secret made elsewhere (External Secrets, Vault, kubectl).
*/}}
{{- define "opsbot-lib.secret" -}}
{{- if include "opsbot-lib.rendersSecret" . -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "opsbot-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "opsbot-lib.labels" . | nindent 4 }}
type: Opaque
data:
  {{- range $key, $value := include "opsbot-lib.secretEnv" . | fromYaml }}
  {{ $key }}: {{ include "opsbot-lib.envValue" $value | b64enc | quote }}
  {{- end }}
{{- end -}}
{{- end -}}
