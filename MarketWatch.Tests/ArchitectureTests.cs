using System.Reflection;
using System.Text.RegularExpressions;
using MarketWatch.Web.Host;
using NetArchTest.Rules;

namespace MarketWatch.Tests;

/// <summary>
/// The one-way house (docs/architecture.md): a folder may use only the folders below it. Checked on the compiled
/// assembly, so a qualified name, a <c>using</c>, a partial's model type or a view's <c>@inject</c> all count.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Bottom first. Portfolios, Trading, Analytics and Developers take their places here when they come.</summary>
    public static readonly string[] Layers =
    [
        "Infrastructure", "Accounts", "Market", "Watchlists", "Notifications", "Portfolios", "Trading", "Analytics", "Alerts",
        "Developers", "Home", "Admin", "Pwa", "Dev", "Errors",
    ];

    private static readonly Assembly Web = typeof(AppDbContext).Assembly;

    private static string Namespace(string layer) =>
        layer == "Infrastructure" ? "MarketWatch.Web.Infrastructure" : "MarketWatch.Web.Features." + layer;

    public static IEnumerable<TestCaseData> LowerLayers() =>
        Layers.Take(Layers.Length - 1).Select(layer => new TestCaseData(layer).SetName($"{layer} uses nothing above it"));

    [TestCaseSource(nameof(LowerLayers))]
    public void A_folder_uses_only_the_folders_below_it(string layer)
    {
        // Dependencies are full type names: "Ns." keeps "Features.Dev" from matching "Features.Developers".
        var above = Layers.SkipWhile(l => l != layer).Skip(1).Select(Namespace).Append("MarketWatch.Web.Host").Select(ns => ns + ".").ToArray();

        var code = Types.InAssembly(Web).That().ResideInNamespaceMatching($"^{Regex.Escape(Namespace(layer))}(\\.|$)")
            .ShouldNot().HaveDependencyOnAny(above).GetResult();
        // Razor compiles views (pages and partials) into classes named after their path: Features_Alerts_Edit.
        var views = Types.InAssembly(Web).That().HaveNameStartingWith(layer == "Infrastructure" ? "Infrastructure_" : $"Features_{layer}_")
            .ShouldNot().HaveDependencyOnAny(above).GetResult();

        Assert.Multiple(() =>
        {
            Assert.That(code.FailingTypeNames ?? [], Is.Empty, $"{layer} code references a folder above it");
            Assert.That(views.FailingTypeNames ?? [], Is.Empty, $"{layer} views reference a folder above it");
        });
    }

    [Test]
    public void Every_feature_folder_has_a_place_in_the_order()
    {
        var features = Web.GetTypes().Select(t => t.Namespace).OfType<string>()
            .Where(ns => ns.StartsWith("MarketWatch.Web.Features.", StringComparison.Ordinal))
            .Select(ns => ns.Split('.')[3]).Distinct()
            // Pages/Shared (the layout and its partials) compiles into Features.Shared: it frames every feature's pages.
            .Where(folder => folder != "Shared");
        Assert.That(Layers, Is.SupersetOf(features), "a new feature folder must be placed in ArchitectureTests.Layers and docs/architecture.md");
    }

    [Test]
    public void The_rule_sees_views_and_code()
    {
        // Guards the test itself: if Razor stopped naming views after their path, the views check would pass on nothing.
        Assert.That(Types.InAssembly(Web).That().HaveNameStartingWith("Features_Alerts_").GetTypes(), Is.Not.Empty);
        Assert.That(Types.InAssembly(Web).That().ResideInNamespace("MarketWatch.Web.Features.Notifications").GetTypes(), Is.Not.Empty);
    }
}
