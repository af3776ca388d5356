// Card payment page: mounts Stripe's Payment Element, then waits for the webhook to mark
// the order paid. No inline scripts (CSP); data comes from a JSON script element.
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("stripe-payment");
  const form = document.getElementById("payment-form");
  if (data && form && window.Stripe) {
    const config = JSON.parse(data.textContent);
    const stripe = window.Stripe(config.publishableKey);
    const elements = stripe.elements({ clientSecret: config.clientSecret });
    const mount = document.getElementById("payment-element");
    mount.textContent = "";
    elements.create("payment").mount(mount);
    const button = document.getElementById("payment-submit");
    const message = document.getElementById("payment-message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true; // one click, one confirmation
      message.textContent = "";
      const { error } = await stripe.confirmPayment({
        elements,
        confirmParams: { return_url: config.returnUrl },
      });
      if (error) {
        message.textContent = error.message || "The payment did not go through.";
        button.disabled = false;
      }
    });
  } else if (data && form) {
    document.getElementById("payment-element").textContent =
      "The secure card form could not load. Check your connection or try again later.";
  }

  const processing = document.getElementById("payment-processing");
  if (processing) {
    let tries = 0;
    const poll = async () => {
      tries += 1;
      try {
        const response = await fetch(processing.dataset.pollUrl, { headers: { Accept: "application/json" } });
        const body = await response.json();
        if (body.status !== "pending") {
          window.location.assign(processing.dataset.orderUrl);
          return;
        }
      } catch (e) {
        // keep waiting; the link on the page still works
      }
      if (tries < 60) window.setTimeout(poll, 3000);
    };
    window.setTimeout(poll, 2000);
  }
});
