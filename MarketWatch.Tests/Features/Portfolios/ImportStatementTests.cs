using System.Text;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure.Csv;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The pure part of the broker-statement import: decoding, separator, header guesses, type words, numbers, rows.</summary>
public sealed class ImportStatementTests
{
    private static readonly CsvLimits Limits = new();

    private static StatementTable Table(string text)
    {
        var read = Statement.Read(text, Limits);
        Assert.That(read.Error, Is.Null, () => read.Error!.ToString());
        return read.Table!;
    }

    [Test]
    public void French_headers_are_guessed_as_fields()
    {
        var headers = new[] { "Date d'opération", "Heure", "Sens", "Valeur", "Quantité", "Cours", "Montant brut", "Frais", "Impôts", "Parité", "Libellé", "Solde" };
        Assert.That(Statement.Guess(headers), Is.EqualTo(new[]
        {
            StatementField.Date, StatementField.Time, StatementField.Type, StatementField.Ticker, StatementField.Quantity, StatementField.Price,
            StatementField.Amount, StatementField.Fees, StatementField.Taxes, StatementField.Ratio, StatementField.Note, StatementField.Ignore,
        }));
        Assert.That(Statement.Guess(["Date", "Opération", "Titre", "Qté", "Prix", "Montant", "Commission", "Taxes"]), Is.EqualTo(new[]
        {
            StatementField.Date, StatementField.Type, StatementField.Ticker, StatementField.Quantity, StatementField.Price, StatementField.Amount,
            StatementField.Fees, StatementField.Taxes,
        }));
        Assert.That(Statement.GuessField("Code ISIN"), Is.EqualTo(StatementField.Ticker));
        Assert.That(Statement.GuessField("CODE"), Is.EqualTo(StatementField.Ticker));
    }

    [Test]
    public void English_headers_are_guessed_and_a_field_goes_to_its_first_column_only()
    {
        Assert.That(Statement.Guess(["date", "time", "type", "ticker", "quantity", "price", "amount", "fees", "taxes", "ratio", "note"]), Is.EqualTo(new[]
        {
            StatementField.Date, StatementField.Time, StatementField.Type, StatementField.Ticker, StatementField.Quantity, StatementField.Price,
            StatementField.Amount, StatementField.Fees, StatementField.Taxes, StatementField.Ratio, StatementField.Note,
        }));
        Assert.That(Statement.Guess(["Trade date", "Symbol", "ISIN", "Shares", "Unit price", "Commission", "Balance"]), Is.EqualTo(new[]
        {
            StatementField.Date, StatementField.Ticker, StatementField.Ignore, StatementField.Quantity, StatementField.Price, StatementField.Fees,
            StatementField.Ignore,
        }));
    }

    [TestCase("Achat", TransactionType.Buy)]
    [TestCase("ACHAT AU COMPTANT", TransactionType.Buy)]
    [TestCase("Buy", TransactionType.Buy)]
    [TestCase("A", TransactionType.Buy)]
    [TestCase("Vente", TransactionType.Sell)]
    [TestCase("sell", TransactionType.Sell)]
    [TestCase("Dividende", TransactionType.Dividend)]
    [TestCase("Paiement de dividendes", TransactionType.Dividend)]
    [TestCase("Dividend", TransactionType.Dividend)]
    [TestCase("Dépôt", TransactionType.Deposit)]
    [TestCase("Versement espèces", TransactionType.Deposit)]
    [TestCase("Deposit", TransactionType.Deposit)]
    [TestCase("Retrait", TransactionType.Withdrawal)]
    [TestCase("Withdrawal", TransactionType.Withdrawal)]
    [TestCase("Frais", TransactionType.Fee)]
    [TestCase("Droits de garde", TransactionType.Fee)]
    [TestCase("Fee", TransactionType.Fee)]
    [TestCase("Division", TransactionType.Split)]
    [TestCase("Division du nominal", TransactionType.Split)]
    [TestCase("Split", TransactionType.Split)]
    [TestCase("Attribution", TransactionType.Bonus)]
    [TestCase("Attribution gratuite", TransactionType.Bonus)]
    [TestCase("Bonus", TransactionType.Bonus)]
    [TestCase("شراء", TransactionType.Buy)]
    [TestCase("بيع", TransactionType.Sell)]
    public void Type_words_in_english_and_french_are_read(string word, TransactionType expected) =>
        Assert.That(Statement.ParseType(word), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("Solde")]
    [TestCase("3")]
    public void Other_words_are_no_type(string word) => Assert.That(Statement.ParseType(word), Is.Null);

    [Test]
    public void Dates_in_both_formats_and_numbers_with_a_decimal_comma_when_the_separator_is_a_semicolon()
    {
        Assert.That(Statement.ParseDate("03/02/2024"), Is.EqualTo(new DateOnly(2024, 2, 3)));
        Assert.That(Statement.ParseDate("2024-02-03"), Is.EqualTo(new DateOnly(2024, 2, 3)));
        Assert.That(Statement.ParseDate("03/02/2024 10:15"), Is.EqualTo(new DateOnly(2024, 2, 3)));
        Assert.That(Statement.ParseDate("31/02/2024"), Is.Null);
        Assert.That(Statement.ParseDate("2024-13-01"), Is.Null);
        Assert.That(Statement.ParseNumber("1 234,56", decimalComma: true), Is.EqualTo(1234.56m));
        Assert.That(Statement.ParseNumber("1.234,5", decimalComma: true), Is.EqualTo(1234.5m));
        Assert.That(Statement.ParseNumber("12.5", decimalComma: true), Is.EqualTo(12.5m));
        Assert.That(Statement.ParseNumber("-480,00 MAD", decimalComma: true), Is.EqualTo(-480m));
        Assert.That(Statement.ParseNumber("12,5", decimalComma: false), Is.Null, "a comma file has no decimal commas");
        Assert.That(Statement.ParseNumber("12.5", decimalComma: false), Is.EqualTo(12.5m));
        Assert.That(Statement.ParseNumber("abc", decimalComma: false), Is.Null);
        Assert.That(Statement.ParseRatio("1:10", decimalComma: false), Is.EqualTo(0.1m));
        Assert.That(Statement.ParseRatio("2", decimalComma: false), Is.EqualTo(2m));
    }

    [Test]
    public void A_semicolon_file_from_french_excel_in_windows_1252_is_read_with_decimal_commas()
    {
        const string text = "sep=;\r\nDate;Sens;Valeur;Quantité;Cours;Frais\r\n03/02/2024;Achat;ATW;10;480,50;5,30\r\n\r\n05/03/2024;Vente;ATW;4;1 500,00;\r\n";
        var bytes = System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text);
        var decoded = Statement.Decode(bytes);
        Assert.That(decoded, Is.EqualTo(text), "Windows-1252 when the bytes are not UTF-8");
        Assert.That(Statement.Decode(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray()), Is.EqualTo(text));

        var table = Table(decoded);
        Assert.That(table.Separator, Is.EqualTo(';'));
        Assert.That(table.Headers, Is.EqualTo(new[] { "Date", "Sens", "Valeur", "Quantité", "Cours", "Frais" }));
        var parse = Statement.Parse(table, Statement.Guess(table.Headers));
        Assert.That(parse.Errors, Is.Empty);
        Assert.That(parse.Rows.Select(r => r.Line), Is.EqualTo(new[] { 3, 5 }), "lines as an editor counts them, sep= line included");
        var buy = parse.Rows[0].Input;
        Assert.That((buy.Type, buy.Date, buy.Ticker, buy.Quantity, buy.Price, buy.Fees), Is.EqualTo(
            ((TransactionType?)TransactionType.Buy, (DateOnly?)new DateOnly(2024, 2, 3), "ATW", (decimal?)10m, (decimal?)480.50m, (decimal?)5.30m)));
        var sell = parse.Rows[1].Input;
        Assert.That((sell.Type, sell.Price, sell.Fees), Is.EqualTo(((TransactionType?)TransactionType.Sell, (decimal?)1500m, (decimal?)null)),
            "an empty fee cell is the schedule's default");
    }

    [Test]
    public void A_comma_file_is_comma_separated_even_with_a_semicolon_in_a_note()
    {
        var table = Table("date,type,ticker,quantity,price,note\n2024-02-03,Buy,iam,5,100.5,\"a; b\"\n");
        Assert.That(table.Separator, Is.EqualTo(','));
        var row = Statement.Parse(table, Statement.Guess(table.Headers)).Rows.Single().Input;
        Assert.That((row.Ticker, row.Price, row.Note), Is.EqualTo(("IAM", (decimal?)100.5m, "a; b")));
    }

    [Test]
    public void Bad_values_are_reported_by_line_and_column()
    {
        var table = Table("Date;Sens;Valeur;Quantité;Cours\n03/02/2024;Achat;ATW;10;480\n32/01/2024;Achat;ATW;dix;480\n04/02/2024;Troc;IAM;5;100\n");
        var parse = Statement.Parse(table, Statement.Guess(table.Headers));
        Assert.That(parse.Rows, Has.Count.EqualTo(1));
        Assert.That(parse.Errors.Select(e => (e.Line, e.Column)), Is.EqualTo(new[] { (3, "Date"), (3, "Quantité"), (4, "Sens") }));
        Assert.That(parse.Errors[1].Message.ToString(), Does.Contain("dix"));
    }

    [Test]
    public void A_mapping_needs_a_date_and_a_type_and_each_field_once()
    {
        Assert.That(Statement.MappingErrors([StatementField.Date, StatementField.Type, StatementField.Ticker]), Is.Empty);
        Assert.That(Statement.MappingErrors([StatementField.Date, StatementField.Ticker]).Select(e => e.ToString()), Is.EqualTo(new[] { "No column is mapped to Type." }));
        Assert.That(Statement.MappingErrors([StatementField.Date, StatementField.Type, StatementField.Price, StatementField.Price]).Select(e => e.ToString()),
            Is.EqualTo(new[] { "Price is mapped to more than one column." }));
    }

    [Test]
    public void A_trade_without_a_unit_price_takes_it_from_its_amount_and_statement_signs_are_dropped()
    {
        var table = Table("date,type,ticker,quantity,amount,fees\n2024-02-03,Dividende,ATW,10,-150,0\n2024-02-04,Dépôt,,,-10000.00,\n");
        var rows = Statement.Parse(table, Statement.Guess(table.Headers)).Rows;
        Assert.That((rows[0].Input.Price, rows[0].Input.Amount, rows[0].Input.Fees), Is.EqualTo(((decimal?)15m, (decimal?)null, (decimal?)0m)));
        Assert.That(rows[1].Input.Type, Is.EqualTo(TransactionType.Deposit));
    }

    [Test]
    public void Too_many_rows_an_unclosed_quote_and_an_empty_file_are_refused_whole()
    {
        var limits = new CsvLimits { MaxRows = 3 };
        var many = "date,type\n" + string.Concat(Enumerable.Repeat("2024-01-02,Buy\n", 4));
        var read = Statement.Read(many, limits);
        Assert.That((read.Table, read.Error?.Key), Is.EqualTo(((StatementTable?)null, "The file has more than {0} rows: split it.")));
        Assert.That(Statement.Read("date,type\n2024-01-02,\"Buy\n", Limits).Error?.Key, Is.EqualTo("A quoted field is not closed."));
        Assert.That(Statement.Read("\n\n", Limits).Error?.Key, Is.EqualTo("The file is empty."));
        Assert.That(Statement.Read("date,type\n", Limits).Error?.Key, Is.EqualTo("The file has a header but no rows."));
    }
}
