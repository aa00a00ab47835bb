// The move form shows the contract value only when the chosen stage is 落地.
// The page renders the right state; this keeps it right as the stage is changed.
const followStage = () => {
  for (const form of document.querySelectorAll("form.move-form")) {
    const stage = form.querySelector("select[name=stage]");
    const only = form.querySelectorAll("[data-show-for]");
    const sync = () => only.forEach((el) => { el.hidden = el.dataset.showFor !== stage.value; });
    stage.addEventListener("change", sync);
    sync();
  }
};
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", followStage);
} else {
  followStage();
}
