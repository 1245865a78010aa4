using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin;

/// <summary>The fee schedule portfolios take their default fees and taxes from: six rates in percent, who changed them last.</summary>
public sealed class FeesModel(FeeSchedules schedules, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public FeeSchedule Current { get; private set; } = FeeSchedule.Defaults;

    /// <summary>The rates as the form shows and posts them, in percent.</summary>
    public sealed class InputModel
    {
        public decimal? BrokerageRate { get; set; }
        public decimal? ExchangeCommissionRate { get; set; }
        public decimal? SettlementRate { get; set; }
        public decimal? VatRate { get; set; }
        public decimal? CapitalGainsTaxRate { get; set; }
        public decimal? DividendWithholdingRate { get; set; }

        public FeeRatesInput ToRates() => new(BrokerageRate, ExchangeCommissionRate, SettlementRate, VatRate, CapitalGainsTaxRate, DividendWithholdingRate);
    }

    /// <summary>Each rate's field, label, explanation and default (percent), in the order the form shows them.</summary>
    public static IReadOnlyList<(string Field, string Label, string Help, decimal Default)> Rates { get; } =
    [
        (nameof(InputModel.BrokerageRate), "Brokerage", "On the amount of each buy and sell. 0.6 % is the regulated ceiling on equities; many brokers charge less.", FeeSchedule.DefaultBrokerageRate * 100),
        (nameof(InputModel.ExchangeCommissionRate), "Exchange commission", "The Casablanca Stock Exchange's commission on the amount of each trade.", FeeSchedule.DefaultExchangeCommissionRate * 100),
        (nameof(InputModel.SettlementRate), "Settlement and custody", "Charged on each trade when the account is held at a bank (the portfolio says so).", FeeSchedule.DefaultSettlementRate * 100),
        (nameof(InputModel.VatRate), "VAT on commissions", "Added to the brokerage, exchange and settlement commissions.", FeeSchedule.DefaultVatRate * 100),
        (nameof(InputModel.CapitalGainsTaxRate), "Capital-gains tax", "On a sale's gain at weighted average cost, after fees; nothing on a loss.", FeeSchedule.DefaultCapitalGainsTaxRate * 100),
        (nameof(InputModel.DividendWithholdingRate), "Dividend withholding", "On the gross dividend (10 % for residents from 2026 under the 2023 finance law).", FeeSchedule.DefaultDividendWithholdingRate * 100),
    ];

    public decimal? ValueOf(string field) => field switch
    {
        nameof(InputModel.BrokerageRate) => Input.BrokerageRate,
        nameof(InputModel.ExchangeCommissionRate) => Input.ExchangeCommissionRate,
        nameof(InputModel.SettlementRate) => Input.SettlementRate,
        nameof(InputModel.VatRate) => Input.VatRate,
        nameof(InputModel.CapitalGainsTaxRate) => Input.CapitalGainsTaxRate,
        _ => Input.DividendWithholdingRate,
    };

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Current = await schedules.GetAsync(cancellationToken);
        var rates = FeeRatesInput.From(Current);
        Input = new InputModel
        {
            BrokerageRate = rates.BrokerageRate, ExchangeCommissionRate = rates.ExchangeCommissionRate, SettlementRate = rates.SettlementRate,
            VatRate = rates.VatRate, CapitalGainsTaxRate = rates.CapitalGainsTaxRate, DividendWithholdingRate = rates.DividendWithholdingRate,
        };
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // A rate that did not parse is reported by the schedule's own rule (empty), on its field, not by the binder's English.
        foreach (var (field, _, _, _) in Rates)
        {
            ModelState.Remove("Input." + field);
        }
        var errors = FeeSchedules.Errors(Input.ToRates()).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                ModelState.AddModelError("Input." + error.Field, error.Message.In(L));
            }
            Current = await schedules.GetAsync(cancellationToken);
            return Page();
        }
        var saved = await schedules.SaveAsync(Input.ToRates(), User.Identity?.Name, cancellationToken);
        if (saved.Error is { } refused)
        {
            ModelState.AddModelError("Input." + refused.Field, refused.Message.In(L));
            Current = await schedules.GetAsync(cancellationToken);
            return Page();
        }
        TempData["Status"] = L["The fee schedule was saved."].Value;
        return RedirectToPage();
    }
}
