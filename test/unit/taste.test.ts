import { expect } from 'chai';
import { emptyModel, featuresOf, learn, likeChance, MAX_WEIGHTS } from '../../services/match/taste/model.js';
import { EXPOSURE_CAP, reciprocalScore, shownNow } from '../../services/match/taste/ranking.js';

describe('the taste model', () => {
  it('moves towards what a person likes and away from what they pass on', () => {
    let me = emptyModel('me');
    let climber = emptyModel('climber');
    let knitter = emptyModel('knitter');
    const [c, k] = [
      ['i:climbing', 'y:6'],
      ['i:knitting', 'y:7'],
    ];
    const [c0, k0] = [likeChance(me, climber, c), likeChance(me, knitter, k)];
    expect(c0, 'nothing learned: everyone alike').to.equal(k0);
    for (let i = 0; i < 5; i++) {
      ({ actor: me, target: climber } = learn(me, climber, c, 1));
      ({ actor: me, target: knitter } = learn(me, knitter, k, 0));
    }
    expect(likeChance(me, climber, c)).to.be.greaterThan(c0);
    expect(likeChance(me, knitter, k)).to.be.lessThan(k0);
    // Someone new who shares the liked attribute gains too (the attributes generalise).
    expect(likeChance(me, emptyModel('new'), ['i:climbing'])).to.be.greaterThan(
      likeChance(me, emptyModel('new'), ['i:knitting']),
    );
  });

  it('names weights so any store takes them', () => {
    expect(featuresOf({ id: 'x', interests: ['node.js', '$where'], gender: 'woman', age: 31 })).to.deep.equal([
      'i:node_js',
      'i:_where',
      'g:woman',
      'y:6',
    ]);
  });

  it('stays small, and holds back a profile shown too much', () => {
    let me = emptyModel('me');
    for (let i = 0; i < 100; i++) me = learn(me, emptyModel(`p${i}`), [`i:tag${i}`], 1).actor;
    expect(Object.keys(me.w).length).to.be.at.most(MAX_WEIGHTS);
    const side = (shown: number) => ({ model: emptyModel('x'), features: [], shown });
    const viewer = { model: emptyModel('v'), features: [] };
    expect(reciprocalScore(viewer, side(EXPOSURE_CAP * 4), 0.5, 0.8)).to.be.lessThan(reciprocalScore(viewer, side(0), 0.5, 0.8));
    expect(shownNow(100, 0, 24 * 3_600_000)).to.be.closeTo(50, 0.001);
  });
});
