//! The adviser draws on the visitor's page while co-browsing: a stroke and a circle show on
//! the visitor's screen where the adviser drew them in the mirror, then fade away.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Client;
use std::time::Duration;
use tandem_tests::browser::{on_page, share_page, wait_for};
use tandem_tests::scene::Scene;

/// Presses on the mirror at `from` (offsets from its centre, in the console's pixels), drags
/// through `through` and releases.
async fn drag_on_mirror(
    console: &Client,
    from: (f64, f64),
    through: &[(f64, f64)],
) -> anyhow::Result<()> {
    let overlay = on_page(console, "[data-mirror-overlay]").await?;
    let mut drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: overlay.clone(),
            duration: None,
            x: from.0,
            y: from.1,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for &(x, y) in through {
        drag = drag.then(PointerAction::MoveToElement {
            element: overlay.clone(),
            duration: Some(Duration::from_millis(120)),
            x,
            y,
        });
    }
    drag = drag.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    console.perform_actions(drag).await?;
    Ok(())
}

/// The visitor's drawn shapes: `[tag, attributes…]` per shape, read from the widget.
async fn drawn_on_page(visitor: &Client) -> anyhow::Result<serde_json::Value> {
    Ok(visitor
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             return [...root.querySelectorAll('.cb-drawings polyline, .cb-drawings circle')].map(s =>
               s.tagName === 'polyline'
                 ? { tag: 'polyline', points: s.getAttribute('points'), shown: s.getBoundingClientRect().width }
                 : { tag: 'circle', cx: +s.getAttribute('cx'), cy: +s.getAttribute('cy'), r: +s.getAttribute('r'),
                     shown: s.getBoundingClientRect().width });",
            vec![],
        )
        .await?)
}

/// Waits for a shape of `tag` (`polyline`, `circle`) on the visitor's page.
async fn drawn_shape(visitor: &Client, tag: &str) -> anyhow::Result<serde_json::Value> {
    wait_for(&format!("a {tag} on the visitor's page"), || async {
        let shapes = drawn_on_page(visitor).await?;
        Ok(shapes
            .as_array()
            .and_then(|list| list.iter().find(|s| s["tag"] == tag).cloned()))
    })
    .await
}

/// Tried: the adviser takes the pen and drags across the mirror, then the circle tool and
/// drags from a centre outwards; a press with the picking tool draws nothing.
#[tokio::test]
async fn the_advisers_stroke_and_circle_show_on_the_visitors_page_then_fade() -> anyhow::Result<()>
{
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    share_page(
        visitor,
        console,
        &scene.site.url("apply.html"),
        "Demande d'adhésion",
    )
    .await?;

    on_page(console, "[data-sketch-tool=pen]")
        .await?
        .click()
        .await?;
    drag_on_mirror(
        console,
        (-120.0, -40.0),
        &[(-60.0, 0.0), (0.0, 20.0), (80.0, 30.0)],
    )
    .await?;
    let stroke = drawn_shape(visitor, "polyline").await?;
    let points: Vec<(f64, f64)> = stroke["points"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .filter_map(|p| p.split_once(','))
        .filter_map(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)))
        .collect();
    assert!(points.len() >= 3, "a stroke through the drag: {points:?}");
    assert!(
        stroke["shown"].as_f64().unwrap_or_default() > 100.0,
        "the stroke is drawn on screen, not only in the page: {stroke}"
    );
    let (first, last) = (points[0], points[points.len() - 1]);
    assert!(last.0 > first.0 + 100.0, "drawn left to right: {points:?}");
    let (width, height) = (1100.0, 800.0);
    assert!(
        points
            .iter()
            .all(|(x, y)| (0.0..width).contains(x) && (0.0..height).contains(y)),
        "within the visitor's window: {points:?}"
    );
    // The adviser sees it on the mirror too.
    on_page(console, ".sketch polyline").await?;

    // It fades: gone from the visitor's page a few seconds later.
    wait_for("the stroke gone", || async {
        let shapes = drawn_on_page(visitor).await?;
        Ok(shapes
            .as_array()
            .is_some_and(|list| list.iter().all(|s| s["tag"] != "polyline"))
            .then_some(()))
    })
    .await?;

    on_page(console, "[data-sketch-tool=circle]")
        .await?
        .click()
        .await?;
    drag_on_mirror(console, (0.0, 0.0), &[(30.0, 0.0), (60.0, 0.0)]).await?;
    let circle = drawn_shape(visitor, "circle").await?;
    let radius = circle["r"].as_f64().unwrap_or_default();
    assert!(radius > 30.0, "a circle as wide as the drag: {circle}");

    // Back to picking: a drag draws nothing new.
    wait_for("the circle gone", || async {
        let shapes = drawn_on_page(visitor).await?;
        Ok(shapes.as_array().is_some_and(Vec::is_empty).then_some(()))
    })
    .await?;
    on_page(console, "[data-sketch-tool=pick]")
        .await?
        .click()
        .await?;
    drag_on_mirror(console, (-50.0, 0.0), &[(50.0, 0.0)]).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shapes = drawn_on_page(visitor).await?;
    assert_eq!(shapes.as_array().map(Vec::len), Some(0), "{shapes}");
    Ok(())
}
