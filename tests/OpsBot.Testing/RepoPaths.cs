namespace OpsBot.Testing;

/// <summary>Where the repository and the built services are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration the tests were built with (the services were built alongside).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>
    /// Names a folder of published services (<c>scripts/publish-services</c>: one sub-folder per service,
    /// <c>&lt;folder&gt;/&lt;name&gt;/&lt;assembly&gt;.dll</c>, ReadyToRun). scripts/demo.sh and scripts/loadtest set it;
    /// unset, services run from their build output.
    /// </summary>
    public const string ServicesDirVariable = "OPSBOT_SERVICES_DIR";

    /// <summary>The published services' folder when <see cref="ServicesDirVariable"/> names one, else null (the build output).</summary>
    public static string? PublishedServicesDir =>
        Environment.GetEnvironmentVariable(ServicesDirVariable) is { Length: > 0 } dir ? Path.GetFullPath(dir, Root) : null;

    /// <summary>
    /// The dll of the service in <paramref name="folder"/> (e.g. <c>services/notifier</c>): from
    /// <see cref="PublishedServicesDir"/> when it is set (<c>&lt;dir&gt;/notifier/OpsBot.Notifier.dll</c>), else the build output.
    /// </summary>
    public static string ServiceDll(string folder, string assembly) => ServiceDll(folder, assembly, PublishedServicesDir);

    /// <summary>As <see cref="ServiceDll(string, string)"/>, with the published services' folder given (null: the build output).</summary>
    public static string ServiceDll(string folder, string assembly, string? publishedServicesDir)
    {
        if (publishedServicesDir is { } published)
        {
            var publishedPath = Path.Combine(published, Path.GetFileName(folder.TrimEnd('/')), assembly + ".dll");
            if (!File.Exists(publishedPath))
                throw new FileNotFoundException($"{publishedPath} is not published; run scripts/publish-services (or unset {ServicesDirVariable} to use the build output).");
            return publishedPath;
        }
        var path = Path.Combine(Root, folder, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is not built; build the solution first.");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpsBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("OpsBot.sln not found above " + AppContext.BaseDirectory);
    }
}
