using System.Text;
using YamlDotNet.RepresentationModel;

namespace OpsBot.Charts.Tests;

public sealed class ChartRenderingTests
{
    private static readonly string[] WorkloadKinds = ["Deployment", "Service", "ConfigMap"];

    private static Task<IReadOnlyList<Manifest>> Umbrella(params string[] args) => Helm.GetAsync().ContinueWith(t => t.Result.RenderAsync("opsbot", Helm.Umbrella, args)).Unwrap();

    private static Task<IReadOnlyList<Manifest>> OpsBot(params string[] args) => Helm.GetAsync().ContinueWith(t => t.Result.RenderAsync("ops-bot", "ops-bot", args)).Unwrap();

    [Fact]
    public async Task The_umbrella_with_default_values_renders_every_service()
    {
        var manifests = await Umbrella();
        foreach (var service in Helm.Services)
            foreach (var kind in WorkloadKinds)
                manifests.Single(kind, "opsbot-" + service);

        Assert.Equal(["opsbot-notifier", "opsbot-risk-evaluator"], manifests.OfKind("PodDisruptionBudget").Select(m => m.Name).Order());
        Assert.Empty(manifests.OfKind("HorizontalPodAutoscaler"));
        Assert.Empty(manifests.OfKind("ServiceMonitor"));
        Assert.Empty(manifests.OfKind("Secret")); // no secret values given and none invented
        Assert.Equal("2", manifests.Single("Deployment", "opsbot-notifier").Scalar("spec.replicas"));
        // risk-evaluator is partitioned (RISK_PARTITIONS in its ConfigMap): two replicas, rolled one at a time.
        var risk = manifests.Single("Deployment", "opsbot-risk-evaluator");
        Assert.Equal("2", risk.Scalar("spec.replicas"));
        Assert.Equal("RollingUpdate", risk.Scalar("spec.strategy.type"));
        Assert.Equal("0", risk.Scalar("spec.strategy.rollingUpdate.maxUnavailable"));
        Assert.Equal("8", manifests.Single("ConfigMap", "opsbot-risk-evaluator").StringMap("data")["RISK_PARTITIONS"]);
        foreach (var service in Helm.Services)
            Assert.Equal($"opsbot/{service}:0.1.0", manifests.Single("Deployment", "opsbot-" + service).Container.Scalar("image"));
    }

    [Fact]
    public async Task The_operations_guide_install_command_renders_as_written()
    {
        var helm = await Helm.GetAsync();
        var manifests = await helm.RenderAsync("ops-bot", "ops-bot", GuideInstall.AsWritten.Split(' '));
        var deployment = manifests.Single("Deployment", "ops-bot");
        Assert.Equal("myregistry/ops-bot:latest", deployment.Container.Scalar("image"));
        manifests.Single("Secret", "ops-bot");
        manifests.Single("ConfigMap", "ops-bot");
        manifests.Single("Service", "ops-bot");
    }

    [Fact]
    public async Task The_operations_guide_install_command_puts_tokens_only_in_the_Secret_and_plain_settings_in_the_ConfigMap()
    {
        var manifests = await OpsBot(GuideInstall.Args());
        var secret = manifests.Single("Secret", "ops-bot");
        var configMap = manifests.Single("ConfigMap", "ops-bot");

        var data = secret.StringMap("data");
        Assert.Equal(GuideInstall.Secrets.Keys.Order(), data.Keys.Order());
        foreach (var (key, value) in GuideInstall.Secrets)
            Assert.Equal(value, Encoding.UTF8.GetString(Convert.FromBase64String(data[key])));
        Assert.Null(secret.Node("stringData"));

        var config = configMap.StringMap("data");
        foreach (var (key, value) in GuideInstall.Plain)
            Assert.Equal(value, config[key]);
        Assert.Equal("8080", config["HEALTH_PORT"]);
        foreach (var key in GuideInstall.Secrets.Keys)
            Assert.DoesNotContain(key, config.Keys);

        // No secret value appears in plain text anywhere in the output (the Secret holds it base64-encoded).
        var all = string.Join("\n", manifests.Select(m => m.Text));
        foreach (var value in GuideInstall.Secrets.Values)
            Assert.DoesNotContain(value, all);
        Assert.DoesNotContain("guide-", all);

        var envFrom = manifests.Single("Deployment", "ops-bot").Container.Children[new YamlScalarNode("envFrom")];
        Assert.Equal(["configMapRef:ops-bot", "secretRef:ops-bot"], ((YamlSequenceNode)envFrom).Children.Cast<YamlMappingNode>()
            .Select(e => $"{((YamlScalarNode)e.Children.Keys.Single()).Value}:{e.Scalar(((YamlScalarNode)e.Children.Keys.Single()).Value + ".name")}"));
    }

    [Theory]
    [InlineData("VAULT_TOKEN", "hvs.vault-token-value")]
    [InlineData("RABBITMQ_URL", "amqp://opsbot:rabbit-pass-77@rabbitmq:5672/")]
    [InlineData("REDIS_URL", @"redis:6379\,password=redis-pass-88")] // --set needs the comma escaped
    [InlineData("EXCHANGE_API_KEY", "exchange-key-value")]
    [InlineData("EXCHANGE_API_SECRET", "exchange-secret-value")]
    [InlineData("SMTP_PASSWORD", "smtp-pass-value")]
    public async Task Other_secret_names_go_to_the_Secret_too(string key, string setValue)
    {
        var manifests = await OpsBot("--set-string", $"env.{key}={setValue}");
        var value = setValue.Replace(@"\,", ",");
        Assert.Equal(value, Encoding.UTF8.GetString(Convert.FromBase64String(manifests.Single("Secret", "ops-bot").StringMap("data")[key])));
        Assert.DoesNotContain(key, manifests.Single("ConfigMap", "ops-bot").StringMap("data").Keys);
        Assert.DoesNotContain(value, string.Join("\n", manifests.Select(m => m.Text)));
    }

    [Fact]
    public async Task SecretEnv_forces_any_key_into_the_Secret_and_values_file_numbers_stay_plain()
    {
        var values = Path.Combine(Path.GetTempPath(), $"opsbot-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(values, "env:\n  ALERT_PNL_THRESHOLD: 1000000\n  EWMA_LAMBDA: 0.94\n  ALERT_ENABLE: false\nsecretEnv:\n  METRICS_URL: https://user:pw@metrics/\n");
        try
        {
            var manifests = await OpsBot("-f", values);
            var config = manifests.Single("ConfigMap", "ops-bot").StringMap("data");
            Assert.Equal("1000000", config["ALERT_PNL_THRESHOLD"]);
            Assert.Equal("0.94", config["EWMA_LAMBDA"]);
            Assert.Equal("false", config["ALERT_ENABLE"]);
            Assert.DoesNotContain("METRICS_URL", config.Keys);
            Assert.Contains("METRICS_URL", manifests.Single("Secret", "ops-bot").StringMap("data").Keys);
        }
        finally { File.Delete(values); }
    }

    [Fact]
    public async Task Every_workload_has_liveness_on_healthz_and_readiness_on_readyz()
    {
        var manifests = await Umbrella();
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var container = deployment.Container;
            Assert.Equal("/healthz", container.Scalar("livenessProbe.httpGet.path"));
            Assert.Equal("http", container.Scalar("livenessProbe.httpGet.port"));
            Assert.Equal("/readyz", container.Scalar("readinessProbe.httpGet.path"));
            Assert.Equal("http", container.Scalar("readinessProbe.httpGet.port"));
            Assert.Equal("/healthz", container.Scalar("startupProbe.httpGet.path"));
            var port = (YamlMappingNode)((YamlSequenceNode)Manifests.Walk(container, "ports")!).Children.Single();
            Assert.Equal("http", port.Scalar("name"));
            Assert.Equal("8080", port.Scalar("containerPort"));
            var service = manifests.Single("Service", deployment.Name);
            Assert.Equal("http", ((YamlMappingNode)service.Seq("spec.ports").Children.Single()).Scalar("targetPort"));
            Assert.Equal("8080", manifests.Single("ConfigMap", deployment.Name).StringMap("data")["HEALTH_PORT"]);
            Assert.NotNull(container.Scalar("resources.requests.cpu"));
            Assert.NotNull(container.Scalar("resources.requests.memory"));
            Assert.NotNull(container.Scalar("resources.limits.cpu"));
            Assert.NotNull(container.Scalar("resources.limits.memory"));
        }
    }

    [Fact]
    public async Task Every_workload_runs_non_root_read_only_without_capabilities_with_a_tmp_emptyDir()
    {
        var manifests = await Umbrella();
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            Assert.Equal("true", deployment.Scalar("spec.template.spec.securityContext.runAsNonRoot"));
            Assert.Equal("1654", deployment.Scalar("spec.template.spec.securityContext.runAsUser"));
            Assert.Equal("RuntimeDefault", deployment.Scalar("spec.template.spec.securityContext.seccompProfile.type"));
            Assert.Equal("false", deployment.Scalar("spec.template.spec.automountServiceAccountToken"));
            var container = deployment.Container;
            Assert.Equal("true", container.Scalar("securityContext.runAsNonRoot"));
            Assert.Equal("1654", container.Scalar("securityContext.runAsUser"));
            Assert.Equal("true", container.Scalar("securityContext.readOnlyRootFilesystem"));
            Assert.Equal("false", container.Scalar("securityContext.allowPrivilegeEscalation"));
            Assert.Equal("RuntimeDefault", container.Scalar("securityContext.seccompProfile.type"));
            Assert.Equal(["ALL"], ((YamlSequenceNode)Manifests.Walk(container, "securityContext.capabilities.drop")!).Children.Select(c => ((YamlScalarNode)c).Value));
            var mount = (YamlMappingNode)((YamlSequenceNode)Manifests.Walk(container, "volumeMounts")!).Children.Single();
            Assert.Equal("/tmp", mount.Scalar("mountPath"));
            var volume = (YamlMappingNode)deployment.Seq("spec.template.spec.volumes").Children.Single();
            Assert.Equal(mount.Scalar("name"), volume.Scalar("name"));
            Assert.NotNull(Manifests.Walk(volume, "emptyDir"));
        }
    }

    [Fact]
    public async Task Every_object_carries_the_standard_labels_and_selectors_match_the_pods()
    {
        var manifests = await Umbrella("--set", "notifier.autoscaling.enabled=true", "--set", "notifier.serviceMonitor.enabled=true");
        Assert.Contains(manifests, m => m.Kind == "HorizontalPodAutoscaler");
        foreach (var manifest in manifests)
        {
            var labels = manifest.StringMap("metadata.labels");
            var service = manifest.Name["opsbot-".Length..];
            Assert.Equal(service, labels["app.kubernetes.io/name"]);
            Assert.Equal("opsbot", labels["app.kubernetes.io/instance"]);
            Assert.Equal("0.1.0", labels["app.kubernetes.io/version"]);
            Assert.Equal("opsbot", labels["app.kubernetes.io/part-of"]);
            Assert.Equal("Helm", labels["app.kubernetes.io/managed-by"]);
            Assert.False(string.IsNullOrEmpty(labels["app.kubernetes.io/component"]), manifest.ToString());
        }
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var selector = deployment.StringMap("spec.selector.matchLabels");
            var podLabels = deployment.StringMap("spec.template.metadata.labels");
            Assert.Equal(2, selector.Count);
            Assert.All(selector, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
            Assert.Equal(selector, manifests.Single("Service", deployment.Name).StringMap("spec.selector"));
        }
        Assert.Equal("slack-bot", manifests.Single("Deployment", "opsbot-ops-bot").StringMap("metadata.labels")["app.kubernetes.io/component"]);
    }

    [Fact]
    public async Task The_operations_guide_install_sets_image_replicas_and_labels_of_a_release_named_ops_bot()
    {
        var manifests = await OpsBot(GuideInstall.Args("--set", "replicaCount=3"));
        var deployment = manifests.Single("Deployment", "ops-bot");
        Assert.Equal("myregistry/ops-bot:latest", deployment.Container.Scalar("image"));
        Assert.Equal("3", deployment.Scalar("spec.replicas"));
        var labels = deployment.StringMap("metadata.labels");
        Assert.Equal("ops-bot", labels["app.kubernetes.io/name"]);
        Assert.Equal("ops-bot", labels["app.kubernetes.io/instance"]);
        Assert.Equal("latest", labels["app.kubernetes.io/version"]);
        Assert.Equal("opsbot", labels["app.kubernetes.io/part-of"]);
    }

    [Fact]
    public async Task The_config_checksum_changes_when_a_setting_or_a_secret_changes_and_only_then()
    {
        static async Task<string> Checksum(params string[] args) =>
            (await OpsBot(GuideInstall.Args(args))).Single("Deployment", "ops-bot").StringMap("spec.template.metadata.annotations")["checksum/config"];

        var baseline = await Checksum();
        Assert.Matches("^[0-9a-f]{64}$", baseline);
        Assert.Equal(baseline, await Checksum());
        Assert.Equal(baseline, await Checksum("--set", "replicaCount=2"));
        Assert.NotEqual(baseline, await Checksum("--set", "env.ALERT_PNL_THRESHOLD=2000"));
        Assert.NotEqual(baseline, await Checksum("--set", "env.SLACK_BOT_TOKEN=xoxb-rotated"));
    }

    [Fact]
    public async Task ExistingSecret_suppresses_the_Secret_and_is_read_by_the_pods()
    {
        var plainOnly = GuideInstall.Plain.SelectMany(kv => new[] { "--set", $"env.{kv.Key}={kv.Value}" });
        var manifests = await OpsBot([.. plainOnly, "--set", "existingSecret=ops-bot-slack"]);
        Assert.Empty(manifests.OfKind("Secret"));
        var envFrom = ((YamlSequenceNode)manifests.Single("Deployment", "ops-bot").Container.Children[new YamlScalarNode("envFrom")]).Children;
        Assert.Equal("ops-bot", envFrom[0].Scalar("configMapRef.name"));
        Assert.Equal("ops-bot-slack", envFrom[1].Scalar("secretRef.name"));
        Assert.Equal(2, envFrom.Count);
    }

    [Fact]
    public async Task ExistingSecret_with_a_secret_in_values_fails_instead_of_dropping_it()
    {
        var helm = await Helm.GetAsync();
        var result = await helm.TemplateAsync("ops-bot", "ops-bot", GuideInstall.Args("--set", "existingSecret=ops-bot-slack"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("existingSecret \"ops-bot-slack\" is set", result.Stderr);
        Assert.Contains("SLACK_BOT_TOKEN", result.Stderr);
        Assert.DoesNotContain(GuideInstall.Secrets["SLACK_BOT_TOKEN"], result.Stderr);
    }

    [Fact]
    public async Task Global_settings_reach_every_service_and_shared_secrets_stay_in_Secrets()
    {
        var manifests = await Umbrella(
            "--set", "global.env.RABBITMQ_URL=amqp://opsbot:global-pass-31@rabbitmq:5672/",
            "--set", "global.env.RABBITMQ_QUORUM_QUEUES=true",
            "--set", "global.existingSecret=opsbot-shared",
            "--set", "global.image.registry=registry.example.com",
            "--set", "global.image.tag=1.4.2",
            "--set", "notifier.env.ALERT_DEDUP_TTL=120");
        Assert.DoesNotContain("global-pass-31", string.Join("\n", manifests.Select(m => m.Text)));
        foreach (var service in Helm.Services)
        {
            var name = "opsbot-" + service;
            Assert.Equal("true", manifests.Single("ConfigMap", name).StringMap("data")["RABBITMQ_QUORUM_QUEUES"]);
            Assert.Contains("RABBITMQ_URL", manifests.Single("Secret", name).StringMap("data").Keys);
            var deployment = manifests.Single("Deployment", name);
            Assert.Equal($"registry.example.com/opsbot/{service}:1.4.2", deployment.Container.Scalar("image"));
            var refs = ((YamlSequenceNode)deployment.Container.Children[new YamlScalarNode("envFrom")]).Children
                .Select(e => e.Scalar("secretRef.name")).OfType<string>().ToArray();
            Assert.Equal(["opsbot-shared", name], refs);
        }
        Assert.Equal("120", manifests.Single("ConfigMap", "opsbot-notifier").StringMap("data")["ALERT_DEDUP_TTL"]);
        Assert.DoesNotContain("ALERT_DEDUP_TTL", manifests.Single("ConfigMap", "opsbot-pnl-ingest").StringMap("data").Keys);
    }

    [Fact]
    public async Task Notifier_and_risk_evaluator_have_a_disruption_budget_and_an_optional_autoscaler()
    {
        var manifests = await Umbrella("--set", "notifier.autoscaling.enabled=true", "--set", "notifier.autoscaling.maxReplicas=6");
        var hpa = manifests.Single("HorizontalPodAutoscaler", "opsbot-notifier");
        Assert.Equal("opsbot-notifier", hpa.Scalar("spec.scaleTargetRef.name"));
        Assert.Equal("6", hpa.Scalar("spec.maxReplicas"));
        Assert.Null(manifests.Single("Deployment", "opsbot-notifier").Scalar("spec.replicas")); // the HPA owns it
        foreach (var name in new[] { "opsbot-notifier", "opsbot-risk-evaluator" })
        {
            var pdb = manifests.Single("PodDisruptionBudget", name);
            Assert.Equal("1", pdb.Scalar("spec.maxUnavailable"));
            Assert.Equal(manifests.Single("Deployment", name).StringMap("spec.selector.matchLabels"), pdb.StringMap("spec.selector.matchLabels"));
        }

        var risk = await Umbrella("--set", "risk-evaluator.autoscaling.enabled=true", "--set", "risk-evaluator.autoscaling.maxReplicas=3");
        risk.Single("PodDisruptionBudget", "opsbot-risk-evaluator");
        risk.Single("HorizontalPodAutoscaler", "opsbot-risk-evaluator");
    }

    [Fact]
    public async Task Risk_evaluator_scales_up_to_its_partitions_and_warns_about_replicas_beyond_them()
    {
        var helm = await Helm.GetAsync();
        var three = await helm.RunAsync("install", "r", helm.Chart("risk-evaluator"), "--dry-run=client", "--set", "replicaCount=3");
        Assert.True(three.ExitCode == 0, three.Describe());
        Assert.Contains("Partitions: 8 per message type, shared by up to 3 replica(s)", three.Stdout);
        Assert.DoesNotContain("WARNING", three.Stdout);

        var beyond = await helm.RunAsync("install", "r", helm.Chart("risk-evaluator"), "--dry-run=client", "--set", "autoscaling.enabled=true", "--set", "autoscaling.maxReplicas=12");
        Assert.True(beyond.ExitCode == 0, beyond.Describe());
        Assert.Contains("WARNING: more replicas (12) than RISK_PARTITIONS (8)", beyond.Stdout);

        var wider = await helm.RunAsync("install", "r", helm.Chart("risk-evaluator"), "--dry-run=client", "--set", "replicaCount=12", "--set", "env.RISK_PARTITIONS=16");
        Assert.True(wider.ExitCode == 0, wider.Describe());
        Assert.DoesNotContain("WARNING", wider.Stdout);
    }

    [Fact]
    public async Task The_ServiceMonitor_is_optional_and_scrapes_metrics_on_the_http_port()
    {
        Assert.Empty((await OpsBot()).OfKind("ServiceMonitor"));
        var monitor = (await OpsBot("--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=prometheus")).Single("ServiceMonitor", "ops-bot");
        var endpoint = (YamlMappingNode)monitor.Seq("spec.endpoints").Children.Single();
        Assert.Equal("/metrics", endpoint.Scalar("path"));
        Assert.Equal("http", endpoint.Scalar("port"));
        Assert.Equal("prometheus", monitor.StringMap("metadata.labels")["release"]);
    }

    [Fact]
    public async Task Ops_bot_can_expose_its_slack_endpoints_through_an_Ingress()
    {
        var ingress = (await OpsBot("--set", "ingress.enabled=true", "--set", "ingress.host=opsbot.example.com")).Single("Ingress", "ops-bot");
        var rule = (YamlMappingNode)ingress.Seq("spec.rules").Children.Single();
        Assert.Equal("opsbot.example.com", rule.Scalar("host"));
        var path = (YamlMappingNode)((YamlSequenceNode)Manifests.Walk(rule, "http.paths")!).Children.Single();
        Assert.Equal("/slack", path.Scalar("path"));
        Assert.Equal("ops-bot", path.Scalar("backend.service.name"));
    }

    [Fact]
    public async Task A_disabled_service_is_left_out_of_the_umbrella()
    {
        var manifests = await Umbrella("--set", "market-feed.enabled=false", "--set", "parity-checker.enabled=false");
        Assert.Equal(4, manifests.OfKind("Deployment").Count());
        Assert.DoesNotContain(manifests, m => m.Name.Contains("market-feed") || m.Name.Contains("parity-checker"));
    }
}
