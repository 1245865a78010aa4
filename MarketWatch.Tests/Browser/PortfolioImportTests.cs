using System.Text;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The broker-statement import in a real browser: a file with an error, then the fixed file; phones in English and Arabic.</summary>
public sealed class PortfolioImportTests : BrowserTest
{
    private const string BadFile = "Date;Sens;Valeur;Quantité;Cours;Montant;Frais\n02/01/2024;Versement;;;;20 000,00;\n03/01/2024;Achat;ATW;10;480,50;;\n31/02/2024;Achat;IAM;50;100,2;;\n";
    private const string FixedFile = "Date;Sens;Valeur;Quantité;Cours;Montant;Frais\n02/01/2024;Versement;;;;20 000,00;\n03/01/2024;Achat;ATW;10;480,50;;\n29/02/2024;Achat;IAM;50;100,2;;\n";

    private async Task<int> PortfolioAsync(string email, string name = "Broker account")
    {
        var userId = (await App.FindUserAsync(email))!.Id;
        await using var scope = App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PortfolioService>().CreateAsync(userId, new PortfolioInput(name, null), CancellationToken.None)).Value!.Id;
    }

    private Task<int> CountAsync(int id) => App.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == id));

    private static FilePayload Csv(string text) => new() { Name = "releve.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    [Test]
    public async Task Import_a_csv_with_an_error_then_the_fixed_file()
    {
        var email = await SignInNewUserAsync(Page, "import");
        var id = await PortfolioAsync(email);
        await Page.GotoAsync($"/portfolios/{id}/import");
        await Expect(Page.GetByTestId("export-csv")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("export-json")).ToBeVisibleAsync();

        await Page.GetByTestId("upload-file").SetInputFilesAsync(Csv(BadFile));
        await Page.GetByTestId("upload").ClickAsync();
        // The columns are guessed from the French header.
        await Expect(Page.GetByTestId("map-0")).ToHaveValueAsync("Date");
        await Expect(Page.GetByTestId("map-1")).ToHaveValueAsync("Type");
        await Expect(Page.GetByTestId("map-3")).ToHaveValueAsync("Quantity");
        await Page.GetByTestId("preview").ClickAsync();

        var error = Page.GetByTestId("import-error");
        await Expect(error).ToHaveCountAsync(1);
        await Expect(error.GetByTestId("error-line")).ToHaveTextAsync("4");
        await Expect(error.GetByTestId("error-column")).ToHaveTextAsync("Date");
        await Expect(error.GetByTestId("error-message")).ToContainTextAsync("31/02/2024");
        await Expect(Page.GetByTestId("import")).ToHaveCountAsync(0);
        Assert.That(await CountAsync(id), Is.EqualTo(0), "nothing stored");

        // The fixed file, uploaded from the report.
        await Page.GetByTestId("upload-again-form").GetByTestId("upload-file").SetInputFilesAsync(Csv(FixedFile));
        await Page.GetByTestId("upload-again-form").GetByTestId("upload").ClickAsync();
        await Page.GetByTestId("preview").ClickAsync();
        await Expect(Page.GetByTestId("import-row")).ToHaveCountAsync(3);
        await Page.GetByTestId("import").ClickAsync();
        await Expect(Page.GetByTestId("imported")).ToContainTextAsync("Imported 3 transactions.");
        var holdings = Page.GetByTestId("imported-holdings");
        await Expect(holdings).ToContainTextAsync("ATW");
        await Expect(holdings).ToContainTextAsync("IAM");
        Assert.That(await CountAsync(id), Is.EqualTo(3));
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Each_step_fits_a_phone_without_sideways_scroll_and_has_no_serious_axe_finding(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var email = NewEmail("importphone");
        await RegisterAsync(App.CreateClient(), email);
        // Signed in, the page speaks the account's language.
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await SignInAsync(page, email);
        var id = await PortfolioAsync(email, language == "ar" ? "محفظة" : "Phone portfolio");
        await page.GotoAsync($"/portfolios/{id}/import");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        await page.GetByTestId("upload-file").SetInputFilesAsync(Csv(BadFile));
        await page.GetByTestId("upload").ClickAsync();
        await Expect(page.GetByTestId("mapping-form")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        await page.GetByTestId("preview").ClickAsync();
        await Expect(page.GetByTestId("import-error")).ToHaveCountAsync(1);
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        await page.GetByTestId("upload-again-form").GetByTestId("upload-file").SetInputFilesAsync(Csv(FixedFile));
        await page.GetByTestId("upload-again-form").GetByTestId("upload").ClickAsync();
        await page.GetByTestId("preview").ClickAsync();
        await Expect(page.GetByTestId("import-row")).ToHaveCountAsync(3);
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        await page.GetByTestId("import").ClickAsync();
        await Expect(page.GetByTestId("imported-holdings")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
    }
}
