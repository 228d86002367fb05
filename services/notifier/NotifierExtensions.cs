using MassTransit;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier;

public static class NotifierExtensions
{
    public static NotifierOptions AddNotifier(this WebApplicationBuilder builder)
    {
        var options = NotifierOptions.From(new Settings(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<SlackAlertFormatter>();
        if (options.Slack is { } slack)
        {
            builder.Services.AddSingleton(slack);
            builder.Services.AddHttpClient<SlackApiClient>(http =>
            {
                var baseUrl = slack.ApiUrl.ToString();
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.Timeout = TimeSpan.FromSeconds(10);
            });
        }
        return options;
    }

    /// <summary>One consumer per configured channel, each on its own queue, so one channel's outage never delays another.</summary>
    public static IBusRegistrationConfigurator AddNotifierConsumers(this IBusRegistrationConfigurator bus, NotifierOptions options)
    {
        if (options.Slack is not null) bus.AddConsumer<SlackAlertConsumer, SlackAlertConsumerDefinition>();
        return bus;
    }
}
